// Package fakeaws holds local fakes of the AWS endpoints awsxc talks to:
// real HTTP servers on loopback ports that speak the real wire protocols,
// so that the real clients (the Go SDK in process, botocore, the AWS CLI,
// the JS SDK) can be pointed at them. There is no AWS account in the
// tests and no internet; these are the AWS side. Their rules come from
// the AWS CLI v2 and SDK sources, the AWS documentation and what peer
// tools found; the comment on each rule names its source.
//
// # Pointing clients at the fakes
//
// The SDKs read AWS_ENDPOINT_URL_<service id> (upper case, spaces as
// underscores): AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_SSO ([Server]),
// AWS_ENDPOINT_URL_SSO_OIDC ([OIDC]) and AWS_ENDPOINT_URL_SIGNIN
// ([Signin]). awsxc's console link takes the federation endpoint from
// AWSXC_SIGNIN_URL ([Federation.Endpoint]). [StartAll] starts everything
// wired together and [Fakes.Env] returns those variables; [Isolate] points
// this process's SDK at a fresh [Server] and config files. botocore reads
// the variables from 1.31 on; Debian 12's 1.29 needs endpoint_url passed to
// its clients (see the botocore test). Command fakests runs the fakes as a
// process (-all for all of them, with a command protocol on stdin), and
// command fakebrowser is a stand-in $BROWSER.
//
// # STS ([Server])
//
// The query protocol, answered in XML: AssumeRole,
// AssumeRoleWithWebIdentity, GetSessionToken, GetCallerIdentity and
// GetFederationToken. Every call is recorded with the access key that
// signed it ([Call.SignedBy]) and whether it carried a session token
// ([Call.Temporary]). Credentials it issues are remembered with their
// [Kind] ([Server.Issued]): an AssumeRole signed with temporary
// credentials is a chained role session. GetCallerIdentity answers with
// the principal of the credentials that signed it, as STS does: the
// assumed-role or federated-user ARN of a session the fakes issued, the
// IAM user's ARN for a GetSessionToken session or a key registered with
// [Server.AddUser], else the ARN set with [Server.SetCallerArn].
// GetFederationToken refuses
// temporary callers ("Cannot call GetFederationToken with session
// credentials"), checks Name (2-32 of [\w+=,.@-]), Policy (JSON, at most
// 2048 characters), PolicyArns (at most 10) and DurationSeconds
// (900-129600, default 43200), and can be told to refuse as a user's
// policies would ([Server.RefuseFederation]: denied, or an explicit deny
// for want of MFA). [Server.Fail] makes every STS call fail; long-term user
// keys are registered with [Server.AddUser].
//
// # SSO portal ([Portal], on the Server's URL)
//
// restJson1 with the token in x-amz-sso_bearer_token: GetRoleCredentials,
// ListAccounts and ListAccountRoles (paginated by max_result and an opaque
// next_token; default page 20, [Portal.SetPageSize]) and Logout. Errors
// carry X-Amzn-Errortype and {"message": ...}: UnauthorizedException
// "Session token not found or invalid" (401), ForbiddenException "No
// access" (403) for an account or role not assigned (once
// [Portal.SetAccounts] set any; [GenerateAccounts] makes many),
// TooManyRequestsException (429) for the next n list calls after
// [Portal.Throttle] (for n calls after the next k with
// [Portal.ThrottleAfter]). Unlinked, any non-empty token is accepted;
// after [Portal.Link] only the OIDC fake's live access tokens are, and
// Logout ends the token's session there.
//
// # IAM Identity Center OIDC ([OIDC])
//
// restJson1 as the SDK models it, errors as the service sends them:
// X-Amzn-Errortype plus {"error": "authorization_pending",
// "error_description": ...}.
//   - RegisterClient (POST /client/register) needs a name and clientType
//     public; with the authorization_code grant, loopback (or https)
//     redirect URIs and an https issuerUrl. The secret lasts 90 days
//     ([OIDC.SetRegistrationTTL]) or until [OIDC.ExpireRegistrations];
//     an expired one is InvalidClientException (401) everywhere.
//   - StartDeviceAuthorization returns a device code, a user code
//     (ABCD-EFGH), verificationUri <url>/device and verificationUriComplete
//     with ?user_code= (or without, [OIDC.SetUserCodeInURL]), expiresIn 600,
//     interval 1.
//   - CreateToken, device_code grant: authorization_pending until the code
//     is approved ([OIDC.ApproveDevice], or the verification page),
//     slow_down when polled closer than the interval (the first two polls
//     may be back to back, as botocore's are; each slow_down adds 5s, see
//     [OIDC.SetPolling]), access_denied once denied, expired_token after
//     expiresIn; a redeemed code is invalid_grant.
//   - CreateToken, authorization_code grant: the code from /authorize, used
//     once, within 5 minutes, by the same client, with the same
//     redirectUri as the authorize request and a codeVerifier (RFC 7636
//     syntax) whose S256 is the code_challenge; otherwise InvalidGrant
//     (ExpiredToken for a stale code).
//   - CreateToken, refresh_token grant: the client's own, unrevoked token
//     of a live session (8h, [OIDC.SetSessionTTL]); rotated by default
//     ([OIDC.SetRefreshRotation]). Refresh tokens come only to clients
//     with the sso:account:access scope or the refresh_token grant.
//   - GET /authorize checks client_id, the redirect_uri against the
//     registration (a loopback URI matches with any port, RFC 8252 §7.3),
//     response_type=code, an S256 code_challenge, state and scopes, then
//     redirects to redirect_uri with code and state, or error=access_denied
//     (Deny), or a forged state (WrongState), as the [DecisionHeader] or
//     [OIDC.SetDecision] says. An unknown client or unregistered redirect
//     gets a 400 page, never a redirect.
//   - /device is the verification page: with a decision (header, or a
//     POSTed form) it approves or denies the user code it is given.
//
// Access tokens last 1h ([OIDC.SetAccessTokenTTL]) and never outlive
// their session; [OIDC.ValidAccessToken] is what the portal checks.
// Every request is recorded ([OIDC.Calls], [OIDC.Count] with
// "CreateToken/<grant>"), so tests can count registrations and refreshes.
//
// # Console federation ([Federation])
//
// GET or POST /federation. Action=getSigninToken with Session
// {"sessionId","sessionKey","sessionToken"} answers {"SigninToken": ...}
// for temporary credentials the fakes issued, unexpired and matching;
// long-term keys, unknown or mismatched credentials get 400.
// SessionDuration (900-43200) is accepted only with a role session
// assumed by a long-term key; with federation tokens (the User Guide says
// it fails), chained roles, SSO, web identity or login credentials it is
// 400. GetSessionToken credentials get a token, and Action=login then
// refuses them with the real page's sentence. Action=login checks the
// token (15 minutes) and an https Destination, records Destination and
// Issuer, and redirects (302) to Destination. Calls are recorded without
// secrets ([Federation.Calls]).
//
// # AWS Sign-In, aws login ([Signin])
//
// GET /v1/authorize (client_id arn:aws:signin:::devtools/same-device with
// a loopback redirect_uri, or cross-device with <url>/v1/sessions/confirmation,
// which shows base64("state=..&code=..")), code_challenge_method SHA-256,
// scope openid; POST /v1/token (CreateOAuth2Token) for authorization_code
// and refresh_token. Every token request needs a DPoP proof (RFC 9449:
// ES256, P-256 jwk, htm POST, htu the token URL, iat within 5 minutes,
// jti never reused); the refresh token is bound to the proof's key.
// Credentials last 15 minutes, sessions 12 hours; the id token's sub is
// the session ARN ([Signin.SetSessionArn]). [Signin.Fail] answers
// AccessDeniedException with a given error code (TOKEN_EXPIRED, ...).
//
// # The stand-in browser
//
// Command fakebrowser records the URLs it is given (FAKEBROWSER_LOG) and
// follows them while they stay on loopback, sending the user's answer in
// [DecisionHeader] (FAKEBROWSER_MODE follow, approve-device, deny,
// wrong-state; none records only; fail exits 2). It detaches as real
// browsers do unless FAKEBROWSER_WAIT=1.
//
// # What is not faithful
//
// The fakes decide what the real services decide from the documents and
// the peers' reports, not from the services themselves: error messages and
// pages are close but not verbatim, the sign-in and consent pages are
// skipped, the federation endpoint's SessionDuration rule for SSO
// credentials is the conservative reading, and id tokens are signed with
// the fake's own key.
package fakeaws
