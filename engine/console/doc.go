// Package console makes AWS console sign-in links for profiles: the
// engine behind awsxc-cli console and the tray's "Open AWS console" and
// "Copy console link". [NewURL] takes an engine.Env and a profile and
// returns a [URL], or a typed error; it never waits on a human unless
// given an MFA token provider that does.
//
// # The ways in
//
// The way in depends on the credentials, as the console's rules decide
// (IAM User Guide, "Enable custom identity broker access to the AWS
// console"):
//
//   - temporary role credentials (assume-role, web identity, SSO role
//     credentials, aws login): the federation endpoint's getSigninToken
//     with the credentials' session, then the login link with Destination
//     and Issuer;
//   - IAM Identity Center profiles: by default the access portal's
//     console shortcut (<start URL>/#/console?account_id=…&role_name=…),
//     made from the profile's settings alone; [Options.Federate] uses the
//     federation endpoint with the role credentials instead;
//   - an IAM user's long-term keys (which the endpoint refuses): STS
//     GetFederationToken first, named awsxc-<user name> (cut to 32
//     characters), with the AWS managed AdministratorAccess policy as the
//     session's upper bound: the federated session gets the intersection
//     of that and the user's own policies, never more than the user has;
//   - a session token of unknown making (the credentials file, a
//     credential_process, a container endpoint): STS GetCallerIdentity
//     tells. A role session reports assumed-role/…, a federation token
//     federated-user/…; a GetSessionToken session reports the IAM user
//     itself (user/NAME, or root), and is refused with
//     [ErrSessionCredentials]: the console refuses it only after sign-in,
//     in the browser.
//
// SessionDuration goes to the endpoint only for a role assumed with an
// IAM user's long-term keys (the endpoint refuses it for chained, SSO and
// web identity role sessions, and for federation tokens); for long-term
// keys the duration goes to GetFederationToken instead. Otherwise the
// console session lasts as long as the credentials.
//
// # Partitions
//
// The federation endpoint (https://signin.<domain>/federation) and the
// console's domain follow the credentials' partition: aws
// (aws.amazon.com), aws-cn (amazonaws.cn), aws-us-gov
// (amazonaws-us-gov.com) and aws-eusc (amazonaws-eusc.eu), taken from
// the role's or the caller's ARN, else from the region. The ISO
// partitions have no public console ([ErrNoConsole]).
// [Options.Endpoint] replaces the endpoint for tests and for partitions
// awsxc does not know yet; a host signin.<domain> there makes <domain>
// the console's.
//
// # Destinations
//
// [Options.Service] lands on a service's console page: a small table of
// services whose URL is not the generic one ([ServiceNames]), else
// https://<region>.console.<domain>/<service>/home?region=<region>.
// [Options.Destination] must be a URL of the partition's console
// ([CheckDestination]): the sign-in link would otherwise carry a signed-in
// user anywhere, an open redirect that phishing would use.
//
// # Security
//
// A federation link is a bearer credential for 15 minutes: [URL]'s
// String, Format, LogValue and MarshalText mask it, and only
// [URL.Reveal] gives it whole. The credentials go to the endpoint in a
// POST body in the aws and aws-cn partitions, whose endpoint AWS's own
// Toolkit for JetBrains POSTs to, and in the documented GET's query
// elsewhere (GovCloud, where that toolkit says POST is not supported;
// aws-eusc, unknown); neither the request, its URL nor the answer is
// logged or quoted in an error. No link logs the browser out first, so
// the console's multi-session mode (several identities in one browser)
// keeps working.
//
// The endpoint is called with the given http.Client or one with the
// transport of the profile's own SDK configuration, so ca_bundle,
// AWS_CA_BUNDLE and the proxy settings (HTTPS_PROXY, NO_PROXY, which the
// SDK's transport reads from the process environment, as every Go HTTP
// client does) apply as they do to its STS calls. [Sign] signs in with
// credentials the caller holds (a Source's), resolving nothing again.
//
// # Errors
//
// Errors are *engine.Error values whose Kind is one of the engine's
// sentinels (engine.ErrProfileNotFound, engine.ErrMFARequired,
// engine.ErrSSOLoginRequired, engine.ErrResolve, ...) or one of this
// package's: [ErrSessionCredentials], [ErrFederationDenied],
// [ErrSigninRefused], [ErrDestination], [ErrOptions], [ErrNoConsole].
// Their hints name no front end's controls.
package console
