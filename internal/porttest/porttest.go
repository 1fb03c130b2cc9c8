// Package porttest gives tests loopback TCP ports that stay theirs.
//
// A port got by listening on "127.0.0.1:0" and closing the listener is
// not reserved: it lies in the kernel's ephemeral range, from which every
// other listener on port 0 and every outgoing connection on the machine
// takes its port. On a loaded machine (go test runs packages at once, and
// CI shares the cores) one of them takes it now and then before the test
// listens on it again, and the test fails with "address already in use",
// or finds something answering where it expected a refused connection.
//
// [Free] picks a port below that range, which the kernel never hands out
// by itself; only another test naming a port could take it, and this
// process never hands out one port twice.
package porttest

import (
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// lowest is the lowest port Free picks: above the registered ports
// services commonly use on developer machines.
const lowest = 20000

// ephemeralStart is where the kernel's ephemeral range starts when it
// cannot be read: Linux's default is 32768-60999, Windows' and macOS's
// 49152-65535.
const ephemeralStart = 32768

var (
	mu    sync.Mutex // protects given
	given = map[int]bool{}
)

// Free returns a loopback port that nothing listens on, outside the
// kernel's ephemeral range, and never the same one twice in a process.
// Use it for a server that a test stops and starts again on one port,
// and for an address that must refuse connections.
func Free(t testing.TB) int {
	t.Helper()
	top := ephemeralLow()
	mu.Lock()
	defer mu.Unlock()
	for range 1000 {
		port := lowest + rand.IntN(top-lowest)
		if given[port] {
			continue
		}
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue // taken
		}
		ln.Close()
		given[port] = true
		return port
	}
	t.Fatalf("no free port in %d-%d", lowest, top-1)
	return 0
}

// Addr is "127.0.0.1:" and a [Free] port.
func Addr(t testing.TB) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(Free(t))
}

// ephemeralLow is the first port of the kernel's ephemeral range (see
// ephemeralStart), never below lowest+1000.
func ephemeralLow() int {
	low := ephemeralStart
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				low = n
			}
		}
	}
	return max(low, lowest+1000)
}
