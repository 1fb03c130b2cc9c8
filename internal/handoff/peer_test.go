package handoff

import (
	"encoding/binary"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
)

// A /proc/net/tcp and a /proc/net/tcp6 as Linux writes them on a
// little-endian machine: a listener on 127.0.0.1:8080 (1F90), the
// client's socket 127.0.0.1:40000 (9C40) of uid 1000 connected to it,
// the accepted socket of uid 0, and in tcp6 a dual-stack client
// ::ffff:127.0.0.1:40001 (9C41) of uid 65534.
const (
	procTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0
   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 31338 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 31339 1 0000000000000000 20 4 30 10 -1
`
	procTCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:9C41 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 40000 1 0000000000000000 20 4 0 10 -1
   1: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40001 1 0000000000000000 100 0 0 10 0
`
)

func TestProcNetTCPUID(t *testing.T) {
	t.Parallel()
	ap := netip.MustParseAddrPort
	server := ap("127.0.0.1:8080")
	for _, tc := range []struct {
		name          string
		table         string
		local, remote netip.AddrPort
		uid           int
		found         bool
	}{
		{"client_socket", procTCP, ap("127.0.0.1:40000"), server, 1000, true},
		{"accepted_socket", procTCP, server, ap("127.0.0.1:40000"), 0, true},
		{"listener_is_not_a_peer", procTCP, server, ap("0.0.0.0:0"), 0, true},
		{"unknown_port", procTCP, ap("127.0.0.1:40002"), server, 0, false},
		{"dual_stack_client", procTCP6, ap("127.0.0.1:40001"), server, 65534, true},
		{"dual_stack_client_mapped", procTCP6, ap("[::ffff:127.0.0.1]:40001"), server, 65534, true},
		{"ipv6_loopback", procTCP6, ap("[::1]:22"), ap("[::]:0"), 0, true},
		{"empty", "", ap("127.0.0.1:40000"), server, 0, false},
		{"bad_uid", strings.Replace(procTCP, "  1000 ", " -1000 ", 1), ap("127.0.0.1:40000"), server, 0, false},
	} {
		uid, found := procNetTCPUID([]byte(tc.table), binary.LittleEndian, tc.local, tc.remote)
		if uid != tc.uid || found != tc.found {
			t.Errorf("%s: uid %d, found %v; want %d, %v", tc.name, uid, found, tc.uid, tc.found)
		}
	}
	// On a big-endian machine each word is written the other way round.
	be := strings.NewReplacer("0100007F", "7F000001").Replace(procTCP)
	if uid, found := procNetTCPUID([]byte(be), binary.BigEndian, ap("127.0.0.1:40000"), server); uid != 1000 || !found {
		t.Errorf("big-endian: %d, %v", uid, found)
	}
}

// tcpRow is one MIB_TCPROW_OWNER_PID in a little-endian machine's
// memory: addresses and ports in network byte order.
func tcpRow(local, remote netip.AddrPort, pid uint32) []byte {
	row := make([]byte, tcpRowSize)
	binary.LittleEndian.PutUint32(row, 5) // MIB_TCP_STATE_ESTAB
	l, r := local.Addr().As4(), remote.Addr().As4()
	copy(row[4:8], l[:])
	binary.BigEndian.PutUint16(row[8:], local.Port())
	copy(row[12:16], r[:])
	binary.BigEndian.PutUint16(row[16:], remote.Port())
	binary.LittleEndian.PutUint32(row[20:], pid)
	return row
}

func TestTCPTableOwnerPID(t *testing.T) {
	t.Parallel()
	ap := netip.MustParseAddrPort
	server, client := ap("127.0.0.1:8080"), ap("127.0.0.1:40000")
	table := binary.LittleEndian.AppendUint32(nil, 3)
	table = append(table, tcpRow(server, ap("127.0.0.1:40001"), 7)...)
	table = append(table, tcpRow(client, server, 4242)...)
	table = append(table, tcpRow(server, client, 99)...)
	for _, tc := range []struct {
		name          string
		buf           []byte
		local, remote netip.AddrPort
		pid           uint32
		found         bool
	}{
		{"client", table, client, server, 4242, true},
		{"accepted", table, server, client, 99, true},
		{"mapped_address", table, ap("[::ffff:127.0.0.1]:40000"), server, 4242, true},
		{"unknown", table, ap("127.0.0.1:1"), server, 0, false},
		{"count_beyond_the_rows", append(binary.LittleEndian.AppendUint32(nil, 9), table[4:4+tcpRowSize]...), client, server, 0, false},
		{"short", table[:3], client, server, 0, false},
	} {
		pid, found := tcpTableOwnerPID(tc.buf, binary.LittleEndian, tc.local, tc.remote)
		if pid != tc.pid || found != tc.found {
			t.Errorf("%s: pid %d, found %v; want %d, %v", tc.name, pid, found, tc.pid, tc.found)
		}
	}
}

// FuzzPeerTables: the table parsers never panic on anything, and find
// only a row that names both addresses.
func FuzzPeerTables(f *testing.F) {
	f.Add([]byte(procTCP), uint16(40000), uint16(8080))
	f.Add([]byte(procTCP6), uint16(40001), uint16(8080))
	f.Add(append(binary.LittleEndian.AppendUint32(nil, 1), tcpRow(netip.MustParseAddrPort("127.0.0.1:40000"), netip.MustParseAddrPort("127.0.0.1:8080"), 1)...), uint16(40000), uint16(8080))
	f.Fuzz(func(t *testing.T, data []byte, lport, rport uint16) {
		lo := netip.MustParseAddr("127.0.0.1")
		local, remote := netip.AddrPortFrom(lo, lport), netip.AddrPortFrom(lo, rport)
		if uid, found := procNetTCPUID(data, binary.LittleEndian, local, remote); found && uid < 0 {
			t.Fatalf("negative uid %d", uid)
		}
		procNetTCPUID(data, binary.BigEndian, local, remote)
		if pid, found := tcpTableOwnerPID(data, binary.LittleEndian, local, remote); !found && pid != 0 {
			t.Fatalf("pid %d with nothing found", pid)
		}
	})
}

// TestPeerOwnedRealConnection: a connection this process makes to itself
// is its own user's, as the system's table says (Linux, Windows); where
// there is no table the question stays open.
func TestPeerOwnedRealConnection(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if a := <-accepted; a != nil {
		defer a.Close()
	}
	remote := netip.MustParseAddrPort(c.LocalAddr().String())
	local := netip.MustParseAddrPort(ln.Addr().String())
	ok, known := peerOwned(remote, local)
	switch runtime.GOOS {
	case "linux", "windows":
		if !ok || !known {
			t.Errorf("peerOwned of this process's own connection: %v, %v; want true, true", ok, known)
		}
		// A port nobody connects from is no peer of ours.
		if ok, known := peerOwned(netip.AddrPortFrom(remote.Addr(), 1), local); ok || !known {
			t.Errorf("peerOwned of no connection: %v, %v; want false, true", ok, known)
		}
	default:
		if ok || known {
			t.Errorf("peerOwned: %v, %v; want false, false (no table here)", ok, known)
		}
	}
}
