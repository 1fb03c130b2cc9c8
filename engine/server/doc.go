// Package server runs the local credential servers that every AWS SDK
// accepts: [IMDS], the EC2 instance metadata service (IMDSv2, and v1 on
// request), and [ECS], the container credentials endpoint
// (AWS_CONTAINER_CREDENTIALS_FULL_URI), which also answers as the EKS Pod
// Identity agent on /v1/credentials. Both serve a [Source] and bind in
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
// # Pinned servers and consumers
//
// A server serves one source; pinning a profile to a server is giving it
// that profile's source, and following the active profile is its owner
// swapping the source ([Want] Follow says which, for menus). An ECS
// server also has [Consumer]s, each with a token of its own bound to one
// source: the token picks the source on /, /creds and /v1/credentials,
// and on /profiles/NAME reads only that source's profile (403 for any
// other). Consumers are set, added and revoked while the server runs
// ([ECS.SetConsumers], [ECS.AddConsumer], [ECS.Revoke]); a revoked token
// stops working at once, its requests still waiting for credentials
// included. A server made without a default source serves its consumers
// only and has no token of its own.
//
// # Activity
//
// With [Options] Activity set (an [*activity.Log]), every credentials
// request is recorded: server, consumer, profile, client, User-Agent,
// path, masked key id, status and outcome, never a token.
//
// # Options
//
// [Options] holds what every server takes (address, more addresses to
// listen on beside it, extra allowed Host names, a name and a [Recorder]
// for activity, logger, clock, and the front end's [engine.Hints], which word
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
// Servers bind loopback (127.0.0.0/8, ::1, localhost) unless
// [Options.AllowRemote] says otherwise: any other address, a wildcard
// included, is refused with a [*RemoteBindError] before anything is bound,
// and [CheckAddr] lets a front end refuse it before it does anything
// else. An address in ExtraAddrs beyond loopback must be a container
// bridge's own ([CheckBridge]; a [*BridgeError] otherwise, unless
// AllowRemote), and its listener takes connections from this machine's
// container bridges only. A server beyond loopback reports its [Reach]
// (for a wildcard, this machine's addresses; for a bridge, the subnets it
// takes), so that the front end warns: whoever reaches it can read the
// credentials, whatever Host they send. A server that cannot listen
// returns a [*ListenError].
//
// Servers check the Host header against an allowlist (DNS rebinding;
// [DefaultHosts] are the container engines' names for this machine and
// the AWS link-local endpoint addresses relays forward), refuse requests
// that only browsers make (Origin, Referer, Sec-Fetch-Site), take only
// tokens of [MinTokenLen] to [MaxTokenLen] visible ASCII characters
// ([ValidToken]), compare the server's own ECS token in constant time and
// look consumers' tokens up by their SHA-256 hash (see [Consumer]: no
// timing tells one token from another), never put a secret in an error
// response, and log and record key ids only masked (see
// [engine.MaskKey]).
//
// # Speed
//
// A credentials request with credentials in hand allocates nothing in the
// handler: bodies are rendered once per set of credentials (per request
// only for the ECS server's /profiles/NAME) and headers are precomputed,
// a consumer's token is hashed on the stack, an activity record holds
// only strings the request already has (BenchmarkIMDSCredentials,
// BenchmarkECSCredentials and BenchmarkECSConsumer hold this), and a
// response goes out in one write.
package server
