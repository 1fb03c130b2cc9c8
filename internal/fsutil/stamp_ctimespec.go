//go:build darwin || freebsd || netbsd

package fsutil

import "syscall"

func ctimeOf(st *syscall.Stat_t) uint64 { return uint64(st.Ctimespec.Nano()) }
