//go:build linux || openbsd || solaris || illumos || aix || dragonfly

package fsutil

import "syscall"

func ctimeOf(st *syscall.Stat_t) uint64 { return uint64(st.Ctim.Nano()) }
