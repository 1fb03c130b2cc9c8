// Package engine is awsxc: everything that touches AWS credentials, with
// no user interface. awsxc-cli and the awsxc tray are front ends over it.
// It never exits the process and never logs on its own: it returns errors
// and writes debug records only to the *slog.Logger it is given.
//
// # Environment
//
// The engine reads no environment variable, home folder or clock of its
// own. Everything it takes from the process comes in one [Env]: the
// config and credentials files, the home, working and cache folders, the
// region (AWS_REGION, AWS_DEFAULT_REGION), the container endpoint
// variables and a [Clock]. A front end builds it with [NewEnv] (a command
// from os.Getenv; a daemon from what its client sent) and passes it to
// every call. [Env.Identity] tells when two Envs describe the same
// configuration. The SDK gets the files through its own options
// (config.WithSharedConfigFiles, WithSharedCredentialsFiles and those of
// LoadSharedConfigProfile) and the region through config.WithRegion.
//
// The AWS SDK still reads some settings from the process environment
// itself, which no Env carries: the endpoints (AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_STS, _SSO, _SSO_OIDC, ...), AWS_CA_BUNDLE, the EC2
// metadata service (AWS_EC2_METADATA_*), the container provider's
// variables and token, the keys of credential_source = Environment
// (AWS_ACCESS_KEY_ID, ...), retry, FIPS and dual-stack settings, and the
// home folder under which aws sso login and aws login keep their token
// caches. A credential_process runs with the process's environment and
// working folder. A front end that answers for another process (a
// daemon for a CLI) compares those too.
//
// # Profiles
//
// [Load] reads a profile through the AWS SDK for Go v2's own loader
// (config.LoadDefaultConfig with the profile named), so every source the
// SDK supports works: static keys, session tokens, role chains with
// source_profile or credential_source, sso-session and legacy SSO,
// login_session, credential_process, web identity, MFA (through a
// [TokenProvider]). [Profile.Retrieve] asks the SDK for the credentials.
// [ProfileName] picks the profile the way the AWS CLI does.
//
// awsxc never parses ~/.aws to get credentials. It reads the two files
// once per call with its own scanner, before the SDK is given their
// paths, for what the SDK does not say: a file that is not a regular
// file or is larger than [MaxAWSFileSize] is refused (a folder and
// /dev/null are empty), and where the SDK alone would answer otherwise
// than the AWS CLI, Load gives the CLI's answer with the SDK's own
// providers: a role_arn with no source and a section or key that appears
// twice are refused ([ErrInvalidConfig]) with no network call; a source
// profile's keys sign the next role even when it has a role_arn of its
// own (the SDK builds the chain and makes the calls; awsxc only has that
// one AssumeRole signed with the keys, through the SDK's per-call
// options); aws_security_token is honoured; a quoted credential_process
// runs as written; an SSO token cache whose times end in UTC is read
// through a normalised copy. [Profile.Warnings] says what is wrong with
// the files that does not stop the profile.
//
// [ListProfiles] is a listing, not a resolution: it reads each file once,
// however many profiles they hold, and labels each profile from the keys
// it sets, where every SDK agrees ([KindMixed] where they do not);
// [ListProfileNames] lists the names. Each [ProfileInfo] also says the
// profile's sso-session, account and role, and the account's name as a
// sync recorded it; [Listing.Groups] groups the profiles by sign-in
// session and account for a menu.
//
// # Obtaining credentials
//
// [Obtain] is the whole pipeline of an export, for every front end: load
// the profile, use cached credentials of this very identity if they are
// good for long enough, else retrieve them, exchange long-term keys
// through STS GetSessionToken when asked (EnsureTemporary), refuse
// credentials that have already expired, and cache what expires. The
// cache is keyed by the profile, its Fingerprint (every setting that
// decides whose credentials it yields) and the options that shape them,
// so a cache file never hands out another identity's credentials.
//
// Every fetch is bounded ([FetchTimeout] unless the options say
// otherwise), less the time a human takes at an MFA prompt. Every
// credential_process awsxc runs is the SDK's processcreds with awsxc's
// command builder: when the bound runs out the process is killed with
// the programs it started (on Unix its process group, or, with a
// terminal a human answers on ([Env.Terminal]), the process and its
// descendants; on Windows the command interpreter), and the error names
// the program, never its arguments.
//
// # The console
//
// Package engine/console makes AWS console sign-in links from a profile
// (the portal's shortcut for IAM Identity Center, the federation
// endpoint for the rest), on top of [Obtain]; [Profile.ClientConfig] lets
// it call STS as the credentials it got.
//
// # Errors and actions
//
// Failures are [*Error] values wrapping one of the Err* sentinels
// ([ErrProfileNotFound], [ErrNoCredentials], [ErrSSOLoginRequired],
// [ErrMFARequired], ...) with a one-line message. What the user can do
// about one is its [Action] ([ActionMFACode], [ActionSSOLogin],
// [ActionForce], ...), with a neutral hint ([Action.Hint]): engine words
// never name a front end's controls. Each front end words the actions
// for its own, through [Hints]: awsxc-cli names its flags (--mfa-code,
// --force), the tray its menu items (Enter MFA code…).
//
// # Sign-in
//
// Package engine/signin signs in to IAM Identity Center and aws login
// (the token caches the AWS CLI and every SDK read), reports a session's
// state without network, and signs out; [LoadSSOSession] and
// [RemoveCachedCredentials] are what it needs from here.
//
// # IAM Identity Center sync
//
// [SyncSSO] lists every account and role a signed-in sso-session can use
// (the portal's ListAccounts and ListAccountRoles through the SDK's
// paginators and retryer, with the token the SDK's own token provider
// reads from the AWS CLI's cache and refreshes) and writes one profile
// for each into the config file, between two marker comments that name
// the session. A later sync rewrites only its own block: every byte
// outside it stays, a block edited by hand is refused ([ErrSyncBlock]),
// names are made safe ([SanitizeProfileName]) and never taken from a
// profile outside the block, and the file is written as
// [WriteCredentialsProfile] writes its own: read back by the Go SDK,
// atomically, under a lock. [SSOSyncResult] says what was added,
// removed, updated and kept; failures are [*SyncError] values with an
// [Action] ([ActionSSOLogin] when the session must sign in).
//
// # Formats
//
// [Render] writes credentials as credential_process JSON or as environment
// lines for sh/bash/zsh, fish, PowerShell, cmd, .env and docker --env-file,
// each quoted for its consumer. Times are always UTC with a Z
// ([FormatTime]), the one form every SDK accepts.
//
// # Files
//
// [WriteCredentialsProfile] writes one profile of the shared credentials
// file, keeping every byte outside its managed keys, atomically and under
// a cross-process lock; it finds the section by botocore's rule, has the
// Go SDK read the new content back before replacing the file
// ([ErrNotReadBack]), returns [WriteWarning]s about what other tools read
// differently, and refuses to overwrite long-term keys unless forced
// ([ErrLongTermKeys], [ActionForce]). Files holding secrets (the cache
// files of [Obtain] among them) are 0600 and replaced atomically, keeping
// their owner (internal/fsutil); a cache file is trusted only when no
// other user could have written it or a folder on its way.
//
// # Servers
//
// A [Source] keeps temporary credentials for one profile and refreshes
// them in the background before they come within 15 minutes of expiry;
// requests never wait on STS while valid credentials are in hand, and never
// on a human (while a refresh started by hand asks for an MFA code, they
// fail at once with [ErrMFARequired]). A refresh that gets no later
// expiry (a session token with aws_credential_expiration, a
// credential_process that returns the same set) marks the credentials
// [Status] Final and backs off; [Source.Reload] fetches again at once when
// the AWS files change. A [Registry] keeps one Source per profile for a front end
// that serves many (made on first use with the registry's options, Env
// included; at most [DefaultMaxSources], replacing the least recently
// used one nobody holds; one nobody holds or asks for within
// [DefaultIdleTimeout], or RegistryOptions.IdleTimeout, closed; closed
// together; one OnChange for all). The
// local IMDS and ECS servers that serve Sources to SDKs are package
// [github.com/awsxc/awsxc/engine/server]; they see a Source only through a
// small interface ([Source.Current], [Source.Credentials], [Source.Status])
// and word their errors' actions with the [Hints] of the front end that
// runs them.
//
// # The daemon
//
// Package [github.com/awsxc/awsxc/engine/daemon] is the per-user
// credential daemon (awsxc-cli daemon; the tray next): one [Registry]
// for every program of the user, the servers its settings switch on, and
// the local API that awsxc-cli asks before it resolves a profile itself.
// It answers a client only for the client's own configuration (its
// [Env.Identity] and the AWS_* variables the SDK reads), in the shape of
// a local resolution, typed errors included.
//
// # Security
//
// Secrets are never logged: key ids appear as [MaskKey] shows them
// (AKIA…WXYZ). The text of an SDK or service error, which may echo the
// request (session token included), goes through [Redact] as part of an
// [*Error], whichever package made the error ([Error.Error] redacts its
// cause), with the file paths the error names kept whole
// ([RedactError]); front ends redact whatever else they print. The
// servers' own rules are in their package's documentation.
package engine
