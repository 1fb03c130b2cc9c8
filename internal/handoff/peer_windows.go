package handoff

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

var procGetExtendedTcpTable = windows.NewLazySystemDLL("iphlpapi.dll").NewProc("GetExtendedTcpTable")

const (
	tcpTableOwnerPIDConnections = 4 // TCP_TABLE_OWNER_PID_CONNECTIONS
	afInet                      = 2 // AF_INET
)

// peerOwned says whether the process connected from remote to local runs
// as this process's user: GetExtendedTcpTable names the connection's
// owning process, whose token's user must be ours. A connection or
// process that cannot be found or opened is not ours; a table that
// cannot be read leaves the question open (known false).
func peerOwned(remote, local netip.AddrPort) (ok, known bool) {
	table, err := tcpTable()
	if err != nil {
		return false, false
	}
	pid, found := tcpTableOwnerPID(table, binary.NativeEndian, remote, local)
	if !found {
		return false, true
	}
	me, err := selfUser()
	if err != nil {
		return false, false
	}
	sid, err := processUser(pid)
	return err == nil && windows.EqualSid(sid, me), true
}

// tcpTable returns the IPv4 connections with their owning processes, a
// MIB_TCPTABLE_OWNER_PID.
func tcpTable() ([]byte, error) {
	size := uint32(16 << 10)
	for range 5 {
		buf := make([]byte, size)
		r, _, _ := procGetExtendedTcpTable.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0,
			afInet, tcpTableOwnerPIDConnections, 0)
		switch windows.Errno(r) {
		case 0:
			return buf[:min(int(size), len(buf))], nil
		case windows.ERROR_INSUFFICIENT_BUFFER:
			size += 4 << 10 // connections come and go between the calls
			continue
		default:
			return nil, windows.Errno(r)
		}
	}
	return nil, windows.ERROR_INSUFFICIENT_BUFFER
}

// selfUser is the user of this process's token.
var selfUser = sync.OnceValues(func() (*windows.SID, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, err
	}
	return tu.User.Sid.Copy()
})

// processUser returns the user of process pid's token. (internal/localsock
// has the same few lines for its named pipe's clients.)
func processUser(pid uint32) (*windows.SID, error) {
	p, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return nil, err
	}
	defer windows.CloseHandle(p)
	var tok windows.Token
	if err := windows.OpenProcessToken(p, windows.TOKEN_QUERY, &tok); err != nil {
		return nil, err
	}
	defer tok.Close()
	tu, err := tok.GetTokenUser()
	if err != nil {
		return nil, err
	}
	return tu.User.Sid.Copy()
}
