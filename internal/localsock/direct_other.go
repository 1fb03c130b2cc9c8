//go:build !linux

package localsock

import "net"

// direct hands every connection on: only Linux has the thread.
func (l *Listener) direct(DirectOptions) net.Listener { return l }
