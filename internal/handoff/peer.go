package handoff

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strconv"
)

// The tables the peer checks read, parsed here on every system so that
// their tests and fuzz tests run everywhere; peer_linux.go and
// peer_windows.go read them.

// procNetTCPUID finds, in the text of /proc/net/tcp or /proc/net/tcp6,
// the socket whose local address is local and whose remote address is
// remote (a client's socket connected to us: local is its address,
// remote ours), and returns its uid column. Each line is
//
//	sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
//
// with addresses as hex of the address in the kernel's byte order (each
// 32-bit word in host order: 127.0.0.1 is 0100007F on little-endian
// machines) and the port as a hex number. IPv4-mapped IPv6 addresses
// (a dual-stack socket) match their IPv4 address.
func procNetTCPUID(table []byte, order binary.ByteOrder, local, remote netip.AddrPort) (uid int, found bool) {
	local, remote = unmap(local), unmap(remote)
	for len(table) > 0 {
		var line []byte
		line, table, _ = bytes.Cut(table, []byte("\n"))
		f := bytes.Fields(line)
		if len(f) < 8 || !bytes.HasSuffix(f[0], []byte(":")) {
			continue // the header, or not a socket line
		}
		l, ok1 := procAddr(f[1], order)
		r, ok2 := procAddr(f[2], order)
		if !ok1 || !ok2 || l != local || r != remote {
			continue
		}
		n, err := strconv.Atoi(string(f[7]))
		if err != nil || n < 0 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// procAddr reads ADDR:PORT as /proc/net/tcp{,6} writes it.
func procAddr(s []byte, order binary.ByteOrder) (netip.AddrPort, bool) {
	a, p, ok := bytes.Cut(s, []byte(":"))
	if !ok || (len(a) != 8 && len(a) != 32) || len(p) != 4 {
		return netip.AddrPort{}, false
	}
	raw := make([]byte, len(a)/2)
	if _, err := hex.Decode(raw, a); err != nil {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(string(p), 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	// Each 32-bit word is in host order: put it in network order.
	b := make([]byte, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(b[i:], order.Uint32(raw[i:]))
	}
	addr, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), true
}

func unmap(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// tcpRowSize is the size of a MIB_TCPROW_OWNER_PID: six DWORDs, state,
// local address, local port, remote address, remote port, owning PID.
const tcpRowSize = 24

// tcpTableOwnerPID finds, in a MIB_TCPTABLE_OWNER_PID as
// GetExtendedTcpTable fills it (a DWORD count, then the rows, in the
// machine's byte order; addresses and ports in network byte order), the
// connection from local to remote, and returns its owning process id.
func tcpTableOwnerPID(buf []byte, order binary.ByteOrder, local, remote netip.AddrPort) (pid uint32, found bool) {
	local, remote = unmap(local), unmap(remote)
	if len(buf) < 4 {
		return 0, false
	}
	n := order.Uint32(buf)
	rows := buf[4:]
	for i := uint32(0); i < n && len(rows) >= tcpRowSize; i++ {
		row := rows[:tcpRowSize]
		rows = rows[tcpRowSize:]
		l := netip.AddrPortFrom(netip.AddrFrom4([4]byte(row[4:8])), binary.BigEndian.Uint16(row[8:10]))
		r := netip.AddrPortFrom(netip.AddrFrom4([4]byte(row[12:16])), binary.BigEndian.Uint16(row[16:18]))
		if l == local && r == remote {
			return order.Uint32(row[20:24]), true
		}
	}
	return 0, false
}
