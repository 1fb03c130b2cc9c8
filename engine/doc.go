// Package engine is awsxc: everything that touches AWS credentials, with
// no user interface. awsxc-cli and the awsxc tray are front ends over it.
// It never exits the process and never logs on its own: it returns errors
// and writes debug records only to the *slog.Logger it is given.
//
// # Profiles
//
// [Load] reads a profile through the AWS SDK for Go v2's own loader
// (config.LoadDefaultConfig with the profile named), so every source the
// SDK supports works: static keys, session tokens, role chains with
// source_profile or credential_source, sso-session and legacy SSO,
// login_session, credential_process, web identity, MFA (through a
// [TokenProvider]). awsxc never parses ~/.aws to get credentials; it only
// lists section names ([ListProfileNames]) and asks the SDK for each
// profile's settings ([ListProfiles]). [Profile.Retrieve] asks the SDK for
// the credentials; [Profile.GetSessionToken] exchanges long-term keys for
// temporary ones. [ProfileName] picks the profile the way the AWS CLI
// does.
//
// Failures are [*Error] values wrapping one of the Err* sentinels
// ([ErrProfileNotFound], [ErrNoCredentials], [ErrSSOLoginRequired],
// [ErrMFARequired], ...) with a one-line message and a hint saying what to
// do, for any front end to show.
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
// file, keeping every other byte, atomically and under a cross-process
// lock, and refuses to overwrite long-term keys unless forced.
// [ReadCache] and [WriteCache] keep expiring credentials keyed by an
// identity (a profile and its [Profile] Fingerprint), so a cache never
// serves another identity's credentials. Files holding secrets are 0600 and
// replaced atomically, keeping their owner (internal/fsutil).
//
// # Servers
//
// A [Source] keeps temporary credentials for one profile and refreshes
// them in the background before they come within 15 minutes of expiry;
// requests never wait on STS while valid credentials are in hand, and never
// on a human. [NewIMDSServer] and [NewECSServer] serve a Source as the EC2
// IMDSv2 and ECS container-credentials endpoints that every AWS SDK
// accepts; they bind in the constructor (port 0 works), switch profile with
// SetSource without a restart, and report the exact client settings
// ([Settings]).
//
// # Security
//
// Secrets are never logged: key ids appear as [MaskKey] shows them
// (AKIA…WXYZ). Servers bind loopback unless told otherwise, check the Host
// header against an allowlist (DNS rebinding), refuse browser requests,
// compare tokens in constant time, and never put a secret in an error
// response.
package engine
