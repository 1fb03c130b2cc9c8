package settings

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/server"
)

// Reserved server names: the imds and ecs switches'.
const (
	NameIMDS = "imds"
	NameECS  = "ecs"
)

// Check reports whether p can be run: its kind known, its name valid
// (see [Pinned].Name), exactly one of Profile and FollowActive, the
// profile a valid name, an IMDS listener's address valid (and on
// loopback unless AllowRemote), a consumer without an address.
func (p Pinned) Check() error {
	if err := server.ValidConsumerName(p.Name); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if strings.EqualFold(p.Name, NameIMDS) || strings.EqualFold(p.Name, NameECS) {
		return fmt.Errorf("server %q: the name is the %s switch's", p.Name, strings.ToLower(p.Name))
	}
	switch {
	case p.FollowActive && p.Profile != "":
		return fmt.Errorf("server %q: both a profile and follow_active", p.Name)
	case !p.FollowActive && p.Profile == "":
		return fmt.Errorf("server %q: no profile (name one, or follow the active one)", p.Name)
	case p.Profile != "":
		if err := engine.ValidateProfileName(p.Profile); err != nil {
			return fmt.Errorf("server %q: %w", p.Name, err)
		}
	}
	switch p.Kind {
	case KindIMDS:
		if p.Addr == "" {
			return nil
		}
		if err := server.CheckAddr(p.Addr, p.AllowRemote); err != nil {
			return fmt.Errorf("server %q: %w", p.Name, err)
		}
	case KindConsumer:
		if p.Addr != "" || p.AllowRemote {
			return fmt.Errorf("server %q: a consumer listens on the ecs server's address, it has none of its own", p.Name)
		}
	default:
		return fmt.Errorf("server %q: unknown kind %q (want %s or %s)", p.Name, p.Kind, KindIMDS, KindConsumer)
	}
	return nil
}

// Port returns the port of an IMDS listener's address; 0 when it has
// none yet, or for a consumer.
func (p Pinned) Port() int {
	if p.Kind != KindIMDS || p.Addr == "" {
		return 0
	}
	a, err := server.ParseAddr(p.Addr)
	if err != nil {
		return 0
	}
	_, port, _ := net.SplitHostPort(a)
	n, _ := strconv.Atoi(port)
	return n
}

// CheckServers checks a list of pinned servers: each as [Pinned.Check]
// says, the names unique with letter case ignored (a consumer's token
// file is NAME.token, and the file systems of macOS and Windows take
// Api.token and api.token for one file), and no port given twice. It returns the
// servers that pass, in order (a later one that clashes with an earlier
// one is left out), and the errors of the others.
func CheckServers(list []Pinned) ([]Pinned, error) {
	var ok []Pinned
	var errs []error
	names := map[string]string{} // lower case → as given
	ports := map[int]string{}
	for _, p := range list {
		if err := p.Check(); err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := names[strings.ToLower(p.Name)]; dup {
			if prev == p.Name {
				errs = append(errs, fmt.Errorf("server %q given twice", p.Name))
			} else {
				errs = append(errs, fmt.Errorf("server %q: the name is %q's, letter case aside", p.Name, prev))
			}
			continue
		}
		if port := p.Port(); port != 0 {
			if prev, dup := ports[port]; dup {
				errs = append(errs, fmt.Errorf("server %q: port %d is server %q's", p.Name, port, prev))
				continue
			}
			ports[port] = p.Name
		}
		names[strings.ToLower(p.Name)] = p.Name
		ok = append(ok, p)
	}
	return ok, errors.Join(errs...)
}
