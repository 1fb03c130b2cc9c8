// Package daemon is awsxc's per-user credential daemon: one process (the
// tray, or the headless awsxc-cli daemon) that keeps every profile's
// credentials for all of its user's programs, and the local API that
// awsxc-cli asks before it resolves a profile itself.
//
// # The core
//
// [New] makes a [Daemon] from an [engine.Env], the path of
// settings.json (shared with the tray, see
// [github.com/awsxc/awsxc/engine/settings]), a logger and an optional
// [Prompter]. It owns an [engine.Registry] (one source
// per profile, shared by every caller: one STS call per credential
// lifetime, refreshed ahead of expiry), the local IMDS and ECS servers
// the settings switch on (through [server.Group]; they serve the active
// profile, and the ECS server any profile at /profiles/NAME, from the
// same registry), and the local API handler ([Daemon.Handler],
// [Daemon.Serve]). It reads settings.json again when it changes, and
// loads the active profile again when its configuration does.
//
// # Front ends
//
// Either front end starts with [Claim], which takes the one
// single-instance lock and the per-user endpoint, so that a tray and
// awsxc-cli daemon refuse each other and say which one runs. The
// headless daemon is New with no Prompter, Serve on that endpoint, and
// Close on SIGTERM. The tray hosts the same core: it creates it with its dialogs as the Prompter (an MFA
// code asked for in the background when a client finds one needed, and
// on a menu click through [Daemon.Refresh]), renders its menu whenever
// [Options].OnChange fires from [Daemon.Active] (the active profile and
// its source's status), [Daemon.Servers] and [Daemon.Settings] (or the
// wire form, [Daemon.Status]), changes what a click changes (the
// active profile, a server's switch, a favourite) with
// [Daemon.UpdateSettings] on the settings as they are then, taking its
// own copy back with [Daemon.Settings] (the daemon owns settings.json:
// the tray writes it only without a daemon), and takes the credentials it copies or writes from the active source or
// [Daemon.Registry], and shows and changes the pinned servers through
// [Daemon.ServerList], [Daemon.AddServer], [Daemon.Revoke] and
// [Daemon.Activity]. The daemon reads settings.json again every
// [Options].ReloadInterval, before every change (UpdateSettings,
// AddServer, RemoveServer, Revoke), and on [Daemon.Reload]; each
// reload, and each change from its reload to its save, holds the
// daemon's lock and then the settings.File's (always in that order), so
// that none undoes another: a front end changes the settings only
// through the daemon, editing the fields it means to change. A change
// that cannot be saved wraps [ErrNotSaved]. A front end that hosts the
// daemon sets AWSXC_NO_DAEMON=1 in its own environment, so that an
// awsxc-cli it starts as a credential_process resolves in its process
// instead of asking the daemon back.
//
// # Protocol
//
// HTTP/1.1 with JSON bodies over the per-user endpoint of
// internal/localsock (a Unix socket, a named pipe on Windows). Every
// request and answer carries the [Header] Awsxc-Protocol: 1 ([Version]);
// a daemon answers a request of another version 409, and a client that
// gets an answer of another version (or none, or a malformed or
// oversized one: [MaxResponseBytes]) resolves by itself.
//
//   - POST /v1/credentials with a [CredentialsRequest]: the profile, the
//     client's [Config] (what shapes the resolution: its AWS files,
//     home and cache folders, region, container endpoint, and a
//     fingerprint of the AWS_* variables the SDK reads by itself) and
//     the call's options (ensure_temporary, duration_seconds,
//     mfa_serial, an mfa_code, refresh). 200 answers a
//     [CredentialsResponse]: the credentials, region and kind a
//     resolution in the client's process would give. 422 carries the
//     typed error that resolution would have failed with
//     ([APIError]: kind, action, message, neutral hint), which the
//     client prints as its own. 409 means "resolve it yourself": another
//     configuration ([Config.Diff] names what differs, never a value),
//     another protocol version, or a profile the daemon leaves to its
//     callers (credential_process, which runs in the caller's own
//     environment). 400 is a malformed request, 503 a daemon that
//     cannot answer now.
//   - GET /v1/status: a [StatusResponse], each profile the daemon
//     holds (kind, masked key, expiry, whether it renews, which servers
//     serve it) and the servers.
//
// A profile that needs an MFA code the request does not bring is
// answered at once (422, kind mfa-required): a request never waits on
// a human. A client that can ask its user sends the code in a second
// request; the credentials it buys serve every later caller until they
// expire.
//
// # Security
//
// The endpoint is the user's alone (internal/localsock checks the
// folder, the socket and the peer's user on both sides). Requests carry
// no credentials but an MFA code, and the daemon logs no secret: key
// ids masked (engine.MaskKey), never a code, a secret key or a token.
// The Config carries hashes of the AWS_* variables, not their values.
// A daemon answers only for its own configuration: a client that points
// AWS_CONFIG_FILE elsewhere, or whose SDK would read other endpoints,
// is told to resolve by itself.
package daemon
