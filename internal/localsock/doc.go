// Package localsock is the transport of awsxc's local API: a per-user
// endpoint that one daemon (the tray, or the headless daemon) listens on
// and that awsxc-cli dials before it resolves credentials itself. It moves
// bytes between two processes of the same user and refuses everyone else;
// what the bytes mean (HTTP and JSON) is the caller's business.
//
// # Endpoint
//
// On Linux, macOS and the BSDs the endpoint is a Unix socket,
// daemon.sock in the folder
// [github.com/awsxc/awsxc/internal/rundir.SocketDir] names
// ($XDG_RUNTIME_DIR/awsxc, /run/user/<uid>/awsxc, /tmp/awsxc-<uid> or,
// on macOS, ~/Library/Caches/awsxc). On Windows it is the named pipe
// \\.\pipe\awsxc-<user SID>. [DefaultPath] returns the user's endpoint;
// tests pass their own in [Options].Path.
//
// # Listening
//
// [Listen] creates the socket's folder 0700 when it is missing, takes an
// exclusive lock on the lock file next to the socket (daemon.sock.lock)
// for the listener's whole life, and only then binds the socket, mode
// 0600. Holding the lock, any socket file already there was left by a
// daemon that died (the system drops a lock with its process, however
// it ends), so it is removed and replaced without a race; a second
// daemon fails to take the lock and gets [ErrRunning], and the first
// one's socket is left alone. [Listener.Accept] checks each connecting
// process's user id (SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS and
// FreeBSD) and closes the connections of any other user, telling
// [Options].Refused. [Listener.Close] removes the socket, then drops the
// lock.
//
// # Dialling
//
// [Dial] checks the folder and the socket file, connects, and checks the
// user id of the process that listens, before it returns a connection.
// A missing daemon costs no wait: a missing folder or socket, a socket
// nobody listens on (ECONNREFUSED) and a daemon whose queue is full
// (EAGAIN) all give [ErrNoDaemon] at once. Dial honours its context but
// sets no deadline on the connection: a daemon that accepts and never
// answers would block a read for ever, so the caller must bound the
// exchange itself (conn.SetDeadline, or http.Client.Timeout).
// [Options.DialContext] has the signature of http.Transport.DialContext.
//
// # Security
//
// The folder is the guard: a real folder (never a symlink), owned by the
// user, with no access for group or others. The socket file is the belt:
// a socket (not a symlink), owned by the user, mode 0600. The peer check
// is the braces, and the only guard that holds against root, whom file
// modes do not stop. Both sides check all three: a listener refuses a
// folder that is not safe and never "fixes" its mode, and a client never
// talks to a socket in an unsafe folder or to a daemon of another user.
// The parent of the folder must belong to the user or to root and, when
// others may write it, be sticky (as /tmp is). Violations are errors
// wrapping [ErrInsecure] or [ErrPeer], one line each, naming the path.
//
// A socket path must fit the system's limit (107 bytes on Linux, 103 on
// macOS and the BSDs); a longer one is refused with [ErrPathTooLong]
// before anything is created.
//
// On Windows the pipe's security descriptor names the user as owner and
// grants access to the user alone (a protected DACL: no Administrators,
// no SYSTEM, no Everyone), remote clients are rejected
// (PIPE_REJECT_REMOTE_CLIENTS), and the first instance is created with
// FILE_FLAG_FIRST_PIPE_INSTANCE, so that a program that took the name
// first makes [Listen] fail instead of sharing the name. The listener
// checks each client process's user; the client checks that the pipe's
// owner is its user, and allows the daemon to identify it but not to
// impersonate it (SECURITY_IDENTIFICATION).
package localsock
