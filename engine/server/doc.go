// Package server runs the local credential servers that every AWS SDK
// accepts: [IMDS], the EC2 instance metadata service (IMDSv2, and v1 on
// request), and [ECS], the container credentials endpoint
// (AWS_CONTAINER_CREDENTIALS_FULL_URI). Both serve a [Source] and bind in
// the constructor (port 0 works, URL and Port report the real one), switch
// sources with SetSource without a restart, stop with Close or their
// context, and say what a client needs to use them ([Settings]).
//
// # Sources
//
// A server depends only on the small [Source] interface: credentials in
// hand without blocking, a fetch bounded by the request's deadline when
// there are none, and an [engine.Status] for the role name, region, role
// ARN, account id and when the credentials were obtained. An
// [*engine.Source] is one; a source that another process keeps and serves
// over a local API can be another. The ECS server's /profiles/NAME takes
// its sources from a [ProfileFunc], usually an [engine.Registry] through
// [FromRegistry].
//
// # Options
//
// [Options] holds what every server takes (address, extra allowed Host
// names, logger, clock, and the front end's [engine.Hints], which word
// the actions named in error bodies: the CLI's name its flags, and with
// none the words are neutral); [IMDSOptions] and [ECSOptions] add what
// one kind alone takes (IMDSv1, the ECS token and profiles). [ParseAddr] reads a
// listen address as a user writes it.
//
// # Running servers
//
// [Group] runs any number of servers, each named, and makes them match a
// list of wanted ones ([Want]) on every [Group.Apply]: it starts the
// missing ones, swaps the source of a running one without a restart,
// restarts one whose address, Host list, IMDSv1 switch or token changed,
// and stops the ones no longer wanted; it reports each server's [State].
// Front ends describe what they want and leave the sequencing to it.
//
// # Security
//
// Servers bind loopback unless told otherwise, check the Host header
// against an allowlist (DNS rebinding), refuse requests that only browsers
// make (Origin, Referer, Sec-Fetch-Site), compare the ECS token in constant
// time, never put a secret in an error response, and log key ids only
// masked (see [engine.MaskKey]).
//
// # Speed
//
// A credentials request with credentials in hand allocates nothing in the
// handler: bodies are rendered once per set of credentials (per request
// only for the ECS server's /profiles/NAME) and headers are precomputed (BenchmarkIMDSCredentials and BenchmarkECSCredentials hold
// this), and a response goes out in one write.
package server
