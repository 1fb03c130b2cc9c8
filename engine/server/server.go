package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/internal/fsutil"
)

// Timeouts of the local servers. A credentials request waits for a fetch
// at most requestWait; SDKs give up after 1–2 s anyway and retry.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 20 * time.Second
	idleTimeout       = 60 * time.Second
	shutdownTimeout   = 5 * time.Second
	maxHeaderBytes    = 32 << 10
	requestWait       = 10 * time.Second
)

// Source is what a server serves: the credentials of one profile.
// [*engine.Source] is one; a source kept by another process and reached
// over a local API can be another.
//
// Servers and [Group] compare sources with ==, so an implementation must
// be comparable: a pointer type, as *engine.Source is.
type Source interface {
	// Current returns valid credentials already in hand, at once; ok is
	// false when there are none. It is on every request's path: it must
	// not block, and should not allocate.
	Current() (creds engine.Credentials, ok bool)
	// Credentials returns valid credentials, waiting for a fetch until
	// ctx is done. It must never wait on a human.
	Credentials(ctx context.Context) (engine.Credentials, error)
	// Status describes the source. Servers read Profile, RoleName,
	// Region, RoleARN, AccountID and Updated (when the credentials in
	// hand were obtained); RoleName and Region must not change over the
	// source's life.
	Status() engine.Status
}

// Options are what every server takes.
type Options struct {
	// Addr is where to listen, in any form [ParseAddr] accepts: "PORT"
	// (on 127.0.0.1), "HOST:PORT", "[::1]:PORT". Port 0 picks a free
	// port. Empty means "127.0.0.1:0".
	Addr string
	// AllowHosts are host names accepted in the Host header besides
	// localhost, 127.0.0.1, ::1, [DefaultHosts], the bound addresses and,
	// for a wildcard bind allowed beyond loopback, this machine's
	// addresses (a defence against DNS rebinding, which sends the
	// attacker's name).
	AllowHosts []string
	// Logger receives a Debug record per request (method, path, status,
	// client, masked key id) and warnings; nil discards them.
	Logger *slog.Logger
	// Clock is the server's clock (IMDS session tokens); nil is the
	// system clock.
	Clock engine.Clock
	// Hints, if set, words the engine's actions in error bodies for the
	// front end that runs the server, whose user reads them in a
	// client's error ("add it with --allow-host" from the CLI); nil keeps
	// the engine's neutral words.
	Hints engine.Hints
	// ExtraAddrs are more addresses to listen on besides Addr, served
	// alike, with the same Host and token checks: the docker bridge's
	// gateway next to loopback, for Docker Engine on Linux. A port 0
	// there means Addr's port. Their hosts are allowed Host names too.
	// Beyond loopback, an address must be a container bridge's (see
	// [CheckBridge]), and its listener then accepts connections from
	// this machine's container bridges' subnets only, so that a LAN
	// neighbour routing a bridge's subnet to this machine is refused; anything else (0.0.0.0, a LAN
	// address) is refused with a [*BridgeError] unless AllowRemote, and
	// is then served to whoever reaches it. [Reach] reports them all,
	// with the subnets, for the front end's warning.
	ExtraAddrs []string
	// Name names the server in activity records; a [Group] fills in the
	// [Want]'s name.
	Name string
	// Activity, if set, gets a record of every credentials request: from
	// the request's goroutine, so it must not block (an [*activity.Log]
	// does not).
	Activity Recorder
	// AllowRemote lets Addr be beyond loopback: a wildcard (0.0.0.0,
	// [::]), a LAN address, a container bridge's gateway, and lets
	// ExtraAddrs be other than a container bridge's address. Any
	// machine that can reach that address can then read the credentials:
	// IMDS asks for no token, the ECS token travels in clear text, and
	// the Host allowlist stops only browsers, since a client on the
	// network sends whatever Host it likes. Without it such an address is
	// refused with a [*RemoteBindError]. [Reach] says where a server
	// allowed beyond loopback can be reached, for a front end's warning.
	AllowRemote bool
}

// RemoteBindError is a server asked to listen beyond loopback without
// [Options.AllowRemote]: nothing was bound.
type RemoteBindError struct {
	// Addr is the address asked for, host:port.
	Addr string
	// Bound is the address the host name resolved to, when it was a name
	// and not an IP address; empty otherwise.
	Bound string
}

func (e *RemoteBindError) Error() string {
	msg := "listen on " + e.Addr + ": "
	if e.Bound != "" {
		msg += "it is " + e.Bound + ", "
	}
	return msg + "not a loopback address: any machine that can reach it could read the credentials"
}

// ListenError is a server that could not listen on its address: the
// port is in use, the address is not this machine's, binding it is not
// permitted. Err is the system's error (errors.Is(err,
// syscall.EADDRINUSE) holds for a port in use).
type ListenError struct {
	Addr string // the address asked for, host:port
	Err  error
}

func (e *ListenError) Error() string { return "listen on " + e.Addr + ": " + e.Err.Error() }

// Unwrap returns the system's error.
func (e *ListenError) Unwrap() error { return e.Err }

// CheckAddr checks a listen address as [ParseAddr] reads it, and refuses
// one beyond loopback unless allowRemote (see [Options.AllowRemote]), so
// that a front end can reject it before doing anything else. Loopback is
// 127.0.0.0/8, ::1 and the name localhost. Another host name passes here
// and is checked when the server binds, by the address it resolves to.
func CheckAddr(addr string, allowRemote bool) error {
	a, err := ParseAddr(addr)
	if err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(a)
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() && !allowRemote {
		return &RemoteBindError{Addr: a}
	}
	return nil
}

// listen binds addr (ParseAddr form) after checking it with [CheckAddr]:
// an IPv4 address binds IPv4 only and an IPv6 one IPv6 only, so 0.0.0.0
// is every IPv4 interface and no more (Go's "tcp" would listen on [::]
// too) and the address reported is the one listened on. A host name
// that resolved beyond loopback is refused unless allowRemote.
func listen(ctx context.Context, addr string, allowRemote bool) (net.Listener, error) {
	if err := CheckAddr(addr, allowRemote); err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(addr)
	network := "tcp"
	if ip := net.ParseIP(host); ip != nil && ip.To4() != nil {
		network = "tcp4"
	} else if ip != nil {
		network = "tcp6"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, network, addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err // "bind: address already in use", not the address again
		}
		return nil, &ListenError{Addr: addr, Err: err}
	}
	if err := checkBound(addr, ln.Addr().(*net.TCPAddr), allowRemote); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// checkBound refuses a listener on ta, bound for addr, that is beyond
// loopback unless allowRemote: a host name that resolved to such an
// address ([CheckAddr] decides IP addresses before binding).
func checkBound(addr string, ta *net.TCPAddr, allowRemote bool) error {
	if ta.IP.IsLoopback() || allowRemote {
		return nil
	}
	return &RemoteBindError{Addr: addr, Bound: ta.IP.String()}
}

// Reach says who besides this machine's programs can connect to a
// server. It is the zero Reach for a server on loopback alone.
type Reach struct {
	// Remote is set when the server listens beyond loopback.
	Remote bool
	// Addrs are the addresses beyond loopback it listens on, host:port
	// ("0.0.0.0:9911", "172.17.0.1:9911").
	Addrs []string
	// Interfaces are, when one of Addrs is a wildcard (0.0.0.0, [::]:
	// every interface of that family, now and as they come up), this
	// machine's addresses of that family beyond loopback when the server
	// started.
	Interfaces []string
	// Subnets are, for each of Addrs that accepts connections from this
	// machine's container bridges only (a container bridge's address,
	// see [Options.ExtraAddrs]), the bridges' subnets when the server
	// started; nil for none.
	Subnets map[string][]netip.Prefix
}

// String words r for a warning: "every IPv4 interface (0.0.0.0:9911:
// 192.0.2.2, 10.0.0.5)", "172.17.0.1:9911 (from container bridges
// only: 172.17.0.0/16)",
// "192.0.2.2:9911"; "" for loopback.
func (r Reach) String() string {
	var parts []string
	for _, a := range r.Addrs {
		host, _, _ := net.SplitHostPort(a)
		ip := net.ParseIP(host)
		if sn := r.Subnets[a]; len(sn) > 0 {
			var ss []string
			for _, p := range sn {
				ss = append(ss, p.String())
			}
			parts = append(parts, a+" (from container bridges only: "+strings.Join(ss, ", ")+")")
			continue
		}
		if ip == nil || !ip.IsUnspecified() {
			parts = append(parts, a)
			continue
		}
		v4, fam := ip.To4() != nil, "IPv4"
		if !v4 {
			fam = "IPv6"
		}
		var ifs []string
		for _, i := range r.Interfaces {
			if iip := net.ParseIP(i); iip != nil && (iip.To4() != nil) == v4 {
				ifs = append(ifs, i)
			}
		}
		p := "every " + fam + " interface (" + a
		if len(ifs) > 0 {
			p += ": " + strings.Join(ifs, ", ")
		}
		parts = append(parts, p+")")
	}
	return strings.Join(parts, ", ")
}

// reachOf is the Reach of a server listening on lns.
func reachOf(lns []net.Listener) Reach {
	var r Reach
	wild := map[bool]bool{} // by family: IPv4
	for _, ln := range lns {
		ta := ln.Addr().(*net.TCPAddr)
		if ta.IP.IsLoopback() {
			continue
		}
		r.Remote = true
		r.Addrs = append(r.Addrs, ta.String())
		if pl, ok := ln.(*peerListener); ok {
			if r.Subnets == nil {
				r.Subnets = map[string][]netip.Prefix{}
			}
			r.Subnets[ta.String()] = pl.current()
		}
		if ta.IP.IsUnspecified() {
			wild[ta.IP.To4() != nil] = true
		}
	}
	if len(wild) == 0 {
		return r
	}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && wild[n.IP.To4() != nil] {
			r.Interfaces = append(r.Interfaces, n.IP.String())
		}
	}
	return r
}

// Recorder takes activity records; [*activity.Log] is one.
type Recorder interface {
	Add(activity.Record)
}

// ParseAddr turns a listen address as a user writes it into a host:port
// for net.Listen: "PORT" means 127.0.0.1:PORT, and "HOST:PORT" and
// "[IPv6]:PORT" are kept. The port must be 0..65535 (0 picks a free one).
func ParseAddr(s string) (string, error) {
	if s == "" {
		return "", errors.New("empty address; want PORT, HOST:PORT or [::1]:PORT")
	}
	host, port := "127.0.0.1", s
	if strings.ContainsRune(s, ':') {
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			return "", fmt.Errorf("invalid address %q: want PORT, HOST:PORT or [::1]:PORT", s)
		}
		host, port = h, p
		if host == "" {
			return "", fmt.Errorf("invalid address %q: empty host; want PORT, HOST:PORT or [::1]:PORT", s)
		}
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || (len(port) > 1 && port[0] == '0') {
		return "", fmt.Errorf("invalid port %q in %q: want a number from 0 to 65535", port, s)
	}
	return net.JoinHostPort(host, strconv.FormatUint(n, 10)), nil
}

// core is what the IMDS and ECS servers share: the listener, the HTTP
// server, the Host/Origin checks and the request log.
type core struct {
	ln    *onceCloseListener
	extra []*onceCloseListener // ExtraAddrs' listeners
	srv   *http.Server
	addr  string // the address listened on, the host as asked: "localhost:41234"
	url   string // http://host:port/, for clients on this machine
	port  int
	reach Reach // who else can connect
	log   *slog.Logger
	hosts []string // allowed Host header names, lower case
	hints engine.Hints
	// hostRefused is the message of the answer to a Host not in hosts.
	hostRefused string
	route       func(w http.ResponseWriter, r *http.Request) (status int, key string)
	deny        func(w http.ResponseWriter, status int, code, msg string) int
	act         activityInfo
	// loopback: every address listened on is a loopback one.
	loopback bool

	done      chan struct{} // closed when Serve has returned
	closeOnce sync.Once
	closeErr  error
}

// onceCloseListener lets [core.stopListening] close the listener ahead of
// http.Server.Shutdown, which closes it again: the second Close is a
// no-op, so Shutdown still drains the connections gracefully.
type onceCloseListener struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *onceCloseListener) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}

func newCore(ctx context.Context, opts Options) (*core, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	addr, err := ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	ln, err := listen(ctx, addr, opts.AllowRemote)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ta := ln.Addr().(*net.TCPAddr)
	bindHost, _, _ := net.SplitHostPort(addr)
	s := &core{ln: &onceCloseListener{Listener: ln}, log: log, port: ta.Port, done: make(chan struct{}), hints: opts.Hints}
	s.hostRefused = "host not allowed"
	if hint := s.hint(engine.ActionAllowHost); hint != "" {
		s.hostRefused += "; " + hint
	}
	s.addr = net.JoinHostPort(bindHost, strconv.Itoa(ta.Port))
	s.url = "http://" + net.JoinHostPort(clientHost(ta.IP), strconv.Itoa(ta.Port)) + "/"
	s.hosts = append([]string{"localhost", "127.0.0.1", "::1"}, defaultHosts...)
	extraHosts, err := s.listenExtra(ctx, opts)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.act = newActivityInfo(opts)
	s.loopback = ta.IP.IsLoopback() && len(s.extra) == 0
	lns := []net.Listener{ln}
	for _, x := range s.extra {
		lns = append(lns, x.Listener)
	}
	s.reach = reachOf(lns)
	// The bound addresses are names clients use, and so, for a wildcard
	// allowed beyond loopback, are this machine's addresses.
	for _, h := range slices.Concat([]string{bindHost}, extraHosts, s.reach.Interfaces, opts.AllowHosts) {
		h = strings.ToLower(strings.Trim(strings.TrimSpace(h), "[]"))
		if h != "" && !containsFold(s.hosts, h) {
			s.hosts = append(s.hosts, h)
		}
	}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	return s, nil
}

// start serves until Close or ctx.
func (s *core) start(ctx context.Context) {
	var serving sync.WaitGroup
	for _, ln := range append([]*onceCloseListener{s.ln}, s.extra...) {
		serving.Go(func() {
			err := s.srv.Serve(ln)
			if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
				s.log.Warn("server stopped", "addr", ln.Addr().String(), "err", err)
			}
		})
	}
	go func() {
		serving.Wait()
		close(s.done)
	}()
	go func() {
		select {
		case <-ctx.Done():
			s.close()
		case <-s.done:
		}
	}()
}

// stopListening closes the listener now, so the port is free at once;
// requests in flight go on until close.
func (s *core) stopListening() {
	s.ln.Close()
	for _, ln := range s.extra {
		ln.Close()
	}
}

// close shuts down gracefully: in-flight requests get shutdownTimeout to
// finish, then connections are cut.
func (s *core) close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.closeErr = s.srv.Close()
		}
		<-s.done
	})
	return s.closeErr
}

// ServeHTTP applies the checks every request passes and logs it.
func (s *core) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var status int
	var key string
	switch {
	case !s.hostAllowed(r.Host):
		status = s.deny(w, http.StatusForbidden, "InvalidHost", s.hostRefused)
	case len(r.Header["Origin"]) > 0 || len(r.Header["Referer"]) > 0 || len(r.Header["Sec-Fetch-Site"]) > 0:
		// Only browsers send these; no SDK does.
		status = s.deny(w, http.StatusForbidden, "BrowserRequest", "requests from web pages are refused")
	default:
		status, key = s.route(w, r)
	}
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.String("client", r.RemoteAddr),
			slog.String("key", engine.MaskKey(key)))
	}
}

// hostAllowed checks the Host header (port ignored) against the list.
func (s *core) hostAllowed(host string) bool {
	if host == "" {
		return false
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return containsFold(s.hosts, host)
}

func containsFold(list []string, s string) bool {
	for _, h := range list {
		if strings.EqualFold(h, s) {
			return true
		}
	}
	return false
}

// clientHost is the host clients on this machine use to reach a server
// bound to ip: the loopback address for a wildcard bind.
func clientHost(ip net.IP) string {
	switch {
	case ip == nil || ip.Equal(net.IPv4zero):
		return "127.0.0.1"
	case ip.Equal(net.IPv6unspecified):
		return "::1"
	}
	return ip.String()
}

// Precomputed header values, shared by every response (net/http does not
// modify them), so the hot path allocates no header slices.
var (
	hdrText = []string{"text/plain; charset=utf-8"}
	hdrJSON = []string{"application/json"}
)

// writeBody writes a complete response in one go: with Content-Length
// set, net/http sends headers and body in one write, avoiding the
// Nagle/delayed-ACK stall protocols.md describes.
func writeBody(w http.ResponseWriter, status int, ctype []string, clen []string, body []byte) int {
	h := w.Header()
	h["Content-Type"] = ctype
	h["Content-Length"] = clen
	w.WriteHeader(status)
	w.Write(body)
	return status
}

func writeString(w http.ResponseWriter, status int, ctype []string, body string) int {
	return writeBody(w, status, ctype, []string{strconv.Itoa(len(body))}, []byte(body))
}

// hint words a for the front end, else neutrally.
func (s *core) hint(a engine.Action) string {
	if s.hints != nil {
		if h := s.hints(a, ""); h != "" {
			return h
		}
	}
	return a.Hint("")
}

// unavailable is the safe, secret-free text of a credentials error: the
// profile, the kind of failure and the hint (in the front end's words),
// never the cause (which could quote a server's reply).
func (s *core) unavailable(err error) string {
	var e *engine.Error
	switch {
	case errors.As(err, &e):
		if e.Action != engine.ActionNone {
			e = s.hints.Reword(e).(*engine.Error)
		}
		msg := "profile " + `"` + e.Profile + `"` + ": " + e.Kind.Error()
		if e.Hint != "" {
			msg += "; " + e.Hint
		}
		return msg
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out getting credentials"
	case errors.Is(err, engine.ErrSourceClosed):
		return engine.ErrSourceClosed.Error()
	}
	return "credentials unavailable"
}

// credentialsFor returns src's credentials: at once if valid ones are in
// hand, else after waiting (at most requestWait) for a fetch.
func credentialsFor(r *http.Request, src Source) (engine.Credentials, error) {
	if c, ok := src.Current(); ok {
		return c, nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestWait)
	defer cancel()
	return src.Credentials(ctx)
}

// Settings are the client settings for a local server, for start-up
// text and the tray's "Copy settings" items.
type Settings struct {
	// Env are NAME=value assignments for a client on this machine.
	Env []string
	// Docker are NAME=value assignments for a container (under Docker
	// Desktop, which reaches the host as host.docker.internal, for IMDS).
	// Empty when the server cannot serve containers (see Note).
	Docker []string
	// Network is the docker run --network the container needs ("host"),
	// or empty.
	Network string
	// Mounts are docker run -v values (SRC:DST:ro) the container needs:
	// a token file.
	Mounts []string
	// Note explains a limit, for the start-up text; may be empty.
	Note string
}

// DockerFlags returns the docker run flags that apply s.Docker:
// --network, -v for each mount, "-e NAME=value" for each setting.
func (s Settings) DockerFlags() []string {
	var f []string
	if s.Network != "" {
		f = append(f, "--network="+s.Network)
	}
	for _, m := range s.Mounts {
		f = append(f, "-v", m)
	}
	for _, kv := range s.Docker {
		f = append(f, "-e", kv)
	}
	return f
}

// String renders the settings as start-up text: shell lines to copy.
func (s Settings) String() string {
	var b strings.Builder
	for _, kv := range s.Env {
		b.WriteString("  export ")
		b.WriteString(shellAssign(kv))
		b.WriteByte('\n')
	}
	if len(s.Docker) > 0 {
		b.WriteString("  docker run")
		if s.Network != "" {
			b.WriteString(" --network=" + engine.ShellQuote(s.Network))
		}
		for _, m := range s.Mounts {
			b.WriteString(" -v " + engine.ShellQuote(m))
		}
		for _, kv := range s.Docker {
			b.WriteString(" -e ")
			b.WriteString(shellAssign(kv))
		}
		b.WriteString(" IMAGE ...\n")
	}
	if s.Note != "" {
		b.WriteString("  note: ")
		b.WriteString(s.Note)
		b.WriteByte('\n')
	}
	return b.String()
}

// shellAssign quotes the value of NAME=value for a POSIX shell when
// needed.
func shellAssign(kv string) string {
	name, v, _ := strings.Cut(kv, "=")
	return name + "=" + engine.ShellQuote(v)
}

// WriteTokenFile writes an ECS authorization token to path for
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: mode 0600, no final newline
// (every SDK that reads token files rejects one), replaced atomically.
// Its folder is made with [engine.PrivateDir] and must pass its check
// (no other user can write it, or the path to it), and a symlink at path
// is refused, never written through: another user must not be able to
// plant the file, or a link to a file of theirs, before it is written.
func WriteTokenFile(path, token string) error {
	if token == "" || strings.ContainsAny(token, "\r\n") {
		return errors.New("invalid token: empty or contains a newline")
	}
	if err := engine.PrivateDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fsutil.WithPaths(fmt.Errorf("write token file: %s is a symlink, not written through", path), path)
	}
	// In a folder only this user (or root) can write, nothing can put a
	// link at path between the check and the write's rename, which
	// replaces whatever is there.
	if err := fsutil.WriteFileAtomic(path, []byte(token), 0o600); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	return nil
}

// randomToken returns a 256-bit random token, base64url without padding.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errNoSource = errors.New("no credential source to serve")
