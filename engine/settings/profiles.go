package settings

import (
	"fmt"
	"net"
	"path"
	"slices"
	"strings"
)

// MaxRecent is how many of the profiles chosen last the settings keep.
const MaxRecent = 5

// normalizeProfileLists makes the tray's profile lists what its menu
// expects: never null in the file, no empty names, each name once,
// recent at most MaxRecent long.
func (s *Settings) normalizeProfileLists() {
	clean := func(l []string, limit int) []string {
		out := []string{}
		for _, n := range l {
			if n != "" && !slices.Contains(out, n) && (limit == 0 || len(out) < limit) {
				out = append(out, n)
			}
		}
		return out
	}
	s.Favourites = clean(s.Favourites, 0)
	s.Recent = clean(s.Recent, MaxRecent)
	s.ProductionProfiles = clean(s.ProductionProfiles, 0)
}

// checkProductionProfiles reports the first pattern of
// production_profiles that path.Match cannot read, and drops every such
// pattern: the others keep marking their profiles.
func (s *Settings) checkProductionProfiles() error {
	var bad []string
	s.ProductionProfiles = slices.DeleteFunc(s.ProductionProfiles, func(p string) bool {
		_, err := path.Match(p, "")
		if err != nil {
			bad = append(bad, p)
		}
		return err != nil
	})
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("production_profiles: %q is not a valid pattern (a [ without its ], or a \\ at the end)", bad[0])
}

// checkAllowHosts reports the first entry of allow_hosts that is not a
// host name or an IP address (a port, a scheme, a space, a path), and
// drops every such entry: the others are still accepted.
func (s *Settings) checkAllowHosts() error {
	var bad []string
	s.AllowHosts = slices.DeleteFunc(s.AllowHosts, func(h string) bool {
		if !validHost(h) {
			bad = append(bad, h)
			return true
		}
		return false
	})
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("allow_hosts: %q is not a host name or an IP address (no port, no scheme)", bad[0])
}

// validHost says h is a DNS name (letters, digits, '-', '_' and dots, at
// most 253 characters) or an IP address (IPv6 with or without brackets).
func validHost(h string) bool {
	if ip := strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"); net.ParseIP(ip) != nil {
		return true
	}
	if h == "" || len(h) > 253 || strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
		default:
			return false
		}
	}
	return true
}
