package server

import (
	"bufio"
	"os"
	"strings"
)

// isBridge reports whether the interface named is a Linux bridge.
func isBridge(name string) bool {
	fi, err := os.Stat("/sys/class/net/" + name + "/bridge")
	return err == nil && fi.IsDir()
}

// defaultRoute reports whether a default route (IPv4 or IPv6) of the
// main table goes through the interface named.
func defaultRoute(name string) bool {
	// /proc/net/route: Iface Destination Gateway ... Mask, in hex.
	if f, err := os.Open("/proc/net/route"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fs := strings.Fields(sc.Text()); len(fs) >= 8 && fs[0] == name && fs[1] == "00000000" && fs[7] == "00000000" {
				return true
			}
		}
	}
	// /proc/net/ipv6_route: dest dest_len src src_len next_hop metric
	// refcnt use flags iface.
	if f, err := os.Open("/proc/net/ipv6_route"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fs := strings.Fields(sc.Text()); len(fs) >= 10 && fs[9] == name && fs[1] == "00" && strings.Trim(fs[0], "0") == "" {
				return true
			}
		}
	}
	return false
}
