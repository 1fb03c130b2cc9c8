// Package signin signs in to IAM Identity Center (sso-session and legacy
// SSO profiles) and to AWS Sign-In (aws login, login_session profiles),
// and keeps the resulting tokens in the caches the AWS CLI v2 writes, so
// that the AWS CLI, every AWS SDK and awsxc share one sign-in. It is the
// engine of awsxc-cli login and logout and of the tray's sign-in; like
// package engine it has no user interface, never logs on its own (only to
// Config.Logger) and reads no process environment (Config carries the
// files, the home folder, AWS_LOGIN_CACHE_DIRECTORY and the clock). The
// AWS SDK's clients it uses still read their endpoints from the process
// (AWS_ENDPOINT_URL_SSO_OIDC, _SSO, _SIGNIN) or from the profile's
// services section, as every SDK client does; the profile is always
// named to the SDK, and a session reached through no profile gets
// clients made without the SDK's loader, with the endpoint variables
// that Config.Getenv looks up, so that AWS_PROFILE in the process never
// decides anything.
//
// # Sessions
//
// A [Session] is what one sign-in serves: an [sso-session NAME]
// ([KindSSOSession]), a legacy profile's sso_start_url
// ([KindSSOLegacy]) or a login_session ARN ([KindLogin]). Every profile
// that names it, directly or through its source_profile chain, uses the
// one token cached for it, so a front end signs in once per
// [Session.Key]: ten profiles on one sso-session are one sign-in.
// [ProfileSession] finds a profile's session (through the SDK's own
// config.LoadSharedConfigProfile; the sso-session's
// sso_registration_scopes through [engine.LoadSSOSession]);
// [NamedSession] names one that no profile uses yet; [SessionProfiles]
// lists the profiles on a session, from one read of the files however
// many profiles they hold ([engine.ListProfiles], ProfileInfo.SignInVia;
// a test and a fuzz test hold it to ProfileSession's answers). None of
// them touches the network.
//
// # Status
//
// [StatusOf] reads a session's token cache, without network: whether it
// is signed in, when the token expires, whether it can be refreshed
// without a human (a refresh token, and for IAM Identity Center an
// unexpired client registration), and so [Status.Ends], when the next
// sign-in is due for sure. A refreshable session outlives its token
// until the service ends it (IAM Identity Center's session duration; 12
// hours for aws login), which no cache records; Ends says so.
//
// # Signing in
//
// [SignIn] signs a session in, once for all its profiles. A token still
// good for a while is left alone, and one that can be refreshed is
// refreshed (the refresh_token grant), unless SignInOptions.Force; only
// then does the user sign in in a browser. A sign-in the user asked for
// (SignInOptions.Explicit) is aws sso login's: the good token is kept
// only while IAM Identity Center's portal still accepts it, and nothing
// is merely refreshed. The flows:
//
//   - IAM Identity Center, [FlowBrowser]: the authorization code grant
//     with PKCE (S256), the AWS CLI's default since 2.22. A loopback
//     listener is bound on 127.0.0.1 before the browser is opened on the
//     authorize URL; its redirect must carry the state sent, or the
//     sign-in fails at once and the code is never redeemed.
//   - IAM Identity Center, [FlowDevice]: the device code grant (RFC
//     8628), with authorization_pending and slow_down honoured; the user
//     code is always shown. Legacy profiles always use it, as the AWS
//     CLI does.
//   - aws login: the same-device flow (PKCE with SHA-256 on a loopback
//     redirect), or the cross-device flow ([FlowDevice]: the user pastes
//     back the code the page shows), with DPoP proofs (RFC 9449) of a new
//     P-256 key, as the AWS CLI 2.32 and later does.
//
// The front end injects what touches the user: SignInOptions.OpenBrowser
// (internal/browser's Open with $BROWSER or the platform's opener),
// Show (the URL and the user code), BrowserFailed, ReadCode. ctx cancels
// a sign-in: the listener closes at once and no token is written (a
// client registration made on the way stays cached, as the AWS CLI's
// does).
// Client registrations are cached and reused until 15 minutes before they
// expire, and renewed when the service refuses one.
//
// # Caches
//
// Files are written as the AWS CLI writes them, byte for byte (Python's
// json.dumps, timestamps as %Y-%m-%dT%H:%M:%SZ), 0600, atomically
// (internal/fsutil): readers see the old file or the new one.
//
//   - ~/.aws/sso/cache/sha1(session name, or start URL).json: startUrl,
//     region, accessToken, expiresAt, clientId, clientSecret,
//     registrationExpiresAt, refreshToken (awscli botocore/utils.py
//     SSOTokenFetcher, SSOTokenFetcherAuth).
//   - ~/.aws/sso/cache/sha1(json.dumps({"region", "scopes",
//     "session_name", "startUrl", "tool": "botocore"}, sort_keys=True)).json:
//     the client registration (clientId, clientSecret, expiresAt, scopes,
//     grantTypes).
//   - AWS_LOGIN_CACHE_DIRECTORY or ~/.aws/login/cache, sha256(login_session).json:
//     accessToken {accessKeyId, secretAccessKey, sessionToken, accountId,
//     expiresAt}, tokenType, clientId, refreshToken, idToken, dpopKey (the
//     P-256 key, SEC1 PEM) (awscli customizations/login/utils.py).
//
// A file another tool wrote is read in any of the forms the SDKs write
// (RFC 3339, the Go SDK's sorted keys, early CLI v2's "UTC" suffix), and
// its fields that awsxc does not know are kept when it is rewritten.
//
// # Signing out
//
// [SignOut] ends one session, as aws sso logout and aws logout do for
// all: the portal's Logout with the cached access token (IAM Identity
// Center, best effort), the token file, and the cached credentials of
// every profile on the session (awsxc's own, and the AWS CLI's role
// credentials in ~/.aws/cli/cache). [SignOutAll] does it for every
// session, like aws sso logout.
//
// # What aws login cannot do faithfully
//
// aws login is the AWS CLI's own OAuth client: its client ids
// (arn:aws:signin:::devtools/same-device and /cross-device) are public
// ARNs that AWS registered for the CLI, and there is no way to register
// another. awsxc signs in with those ids, so the service, the consent
// page and CloudTrail see the AWS CLI's client, and AWS may restrict it
// at any time. The id token's signature is not verified (no key to verify
// it with is published; the AWS CLI does not verify it either). The DPoP
// key must sit in the cache file in the clear, or the SDKs could not
// refresh the session. And awsxc does not write login_session into the
// config file: the profile must name it already (aws login --profile NAME
// does that once). Where the sign-in service refuses the flow, the error
// says to run aws login --profile NAME instead.
//
// # Errors
//
// Errors are [*Error] values, one line each, whose Kind is one of the
// Err* sentinels ([ErrDenied], [ErrExpired], [ErrStateMismatch],
// [ErrRegistrationExpired], [ErrUnreachable], [ErrCancelled], ...); they
// never hold a token, a client secret, a code or a key, and neither do
// the debug records.
package signin
