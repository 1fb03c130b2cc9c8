package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/awsxc/awsxc/engine/activity"
)

// defaultHosts are the Host names every server accepts besides loopback
// and the addresses it is bound to: the names containers of each engine
// use for this machine, and the link-local addresses of the AWS endpoints
// the SDKs know, which a relay in a container network or a Kubernetes
// node forwards as they are (docs/kind). None of them can be a name an
// attacker's web page makes a browser send (DNS rebinding): .internal is
// reserved for private use, and an address is not a name.
var defaultHosts = []string{
	"host.docker.internal",             // Docker Desktop, OrbStack, Colima, Rancher Desktop; host-gateway
	"host.containers.internal",         // Podman
	"host.lima.internal",               // Lima, Colima, Rancher Desktop
	"host.orb.internal",                // OrbStack
	"host.k3d.internal",                // k3d nodes and pods
	"host.minikube.internal",           // minikube nodes and pods
	"host.rancher-desktop.internal",    // Rancher Desktop
	"169.254.169.254", "fd00:ec2::254", // IMDS
	"169.254.170.2",                  // ECS (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)
	"169.254.170.23", "fd00:ec2::23", // EKS Pod Identity
}

// DefaultHosts returns the Host names every server accepts besides
// loopback names, the addresses it listens on and [Options] AllowHosts:
// the names containers of the engines awsxc knows use for this machine
// (host.docker.internal, host.containers.internal, host.lima.internal,
// host.orb.internal, host.k3d.internal, host.minikube.internal,
// host.rancher-desktop.internal) and the AWS link-local endpoint
// addresses (169.254.169.254, fd00:ec2::254, 169.254.170.2,
// 169.254.170.23, fd00:ec2::23), for relays that forward them.
func DefaultHosts() []string { return slices.Clone(defaultHosts) }

// listenExtra binds opts.ExtraAddrs and returns their hosts.
func (s *core) listenExtra(ctx context.Context, opts Options) ([]string, error) {
	var hosts []string
	for _, a := range opts.ExtraAddrs {
		addr, err := ParseAddr(a)
		if err != nil {
			s.closeExtra()
			return nil, err
		}
		host, port, _ := net.SplitHostPort(addr)
		if port == "0" {
			// One port for every address: clients are told one.
			addr = net.JoinHostPort(host, fmt.Sprint(s.port))
		}
		// A container bridge's address is served to the bridges only;
		// anything else beyond loopback only when allowed (review 2, H1,
		// M1). Reach reports either.
		bridge, remote := false, opts.AllowRemote
		if ip, err := netip.ParseAddr(host); err == nil && !ip.IsLoopback() {
			switch err := CheckBridge(ip); {
			case err == nil:
				bridge, remote = true, true
			case !opts.AllowRemote:
				s.closeExtra()
				var be *BridgeError
				if errors.As(err, &be) {
					be.Addr = addr
				}
				return nil, err
			}
		}
		ln, err := listen(ctx, addr, remote)
		if err != nil {
			s.closeExtra()
			return nil, err
		}
		if bridge {
			ln = newPeerListener(ln, s.log)
		}
		s.extra = append(s.extra, &onceCloseListener{Listener: ln})
		hosts = append(hosts, host)
	}
	return hosts, nil
}

func (s *core) closeExtra() {
	for _, ln := range s.extra {
		ln.Close()
	}
	s.extra = nil
}

// Addrs returns every address the server listens on, Addr's first.
func (s *core) addrs() []string {
	out := []string{s.addr}
	for _, ln := range s.extra {
		out = append(out, ln.Addr().String())
	}
	return out
}

// activityInfo is what a server puts in its activity records.
type activityInfo struct {
	rec        Recorder // nil: no records
	name, kind string
	now        func() time.Time
}

func newActivityInfo(opts Options) activityInfo {
	a := activityInfo{rec: opts.Activity, name: opts.Name, kind: "imds", now: time.Now}
	if opts.Clock != nil {
		a.now = opts.Clock.Now
	}
	return a
}

// record completes rec with the request's facts and hands it on. The
// record holds strings the request already has: it allocates nothing.
func (s *core) record(r *http.Request, rec activity.Record) {
	if s.act.rec == nil {
		return
	}
	rec.Time = s.act.now()
	rec.Server, rec.Kind = s.act.name, s.act.kind
	rec.Client = r.RemoteAddr
	if ua := r.Header["User-Agent"]; len(ua) > 0 {
		rec.UserAgent = ua[0]
	}
	rec.Path = r.URL.Path
	s.act.rec.Add(rec)
}
