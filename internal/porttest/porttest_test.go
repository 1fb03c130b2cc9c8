package porttest

import (
	"net"
	"strconv"
	"testing"
)

// Free's ports are below the ephemeral range, distinct, and can be
// listened on.
func TestFree(t *testing.T) {
	t.Parallel()
	seen := map[int]bool{}
	for range 50 {
		p := Free(t)
		if p < lowest || p >= ephemeralLow() {
			t.Errorf("port %d outside %d-%d", p, lowest, ephemeralLow()-1)
		}
		if seen[p] {
			t.Errorf("port %d given twice", p)
		}
		seen[p] = true
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Fatalf("port %d: %v", p, err)
		}
		ln.Close()
	}
}
