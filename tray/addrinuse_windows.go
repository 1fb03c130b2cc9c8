package tray

import "golang.org/x/sys/windows"

// errAddrInUse is the errno Winsock returns for a port in use: not
// syscall.EADDRINUSE, which Go defines on Windows with a value of its own,
// and whose message ("Only one usage of each socket address...") is
// translated.
var errAddrInUse error = windows.WSAEADDRINUSE
