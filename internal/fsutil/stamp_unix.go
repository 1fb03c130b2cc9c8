//go:build unix

package fsutil

import (
	"io/fs"
	"syscall"
)

// sysStamp is the file's device, inode and status change time: a file
// replaced by a rename (as atomic writers do) is another inode, and one
// whose modification time was set back still has a new change time.
type sysStamp struct{ dev, ino, ctime uint64 }

func sysStampOf(fi fs.FileInfo) sysStamp {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return sysStamp{}
	}
	return sysStamp{dev: uint64(st.Dev), ino: uint64(st.Ino), ctime: ctimeOf(st)}
}

// changed is the status change time, ns.
func (s sysStamp) changed() int64 { return int64(s.ctime) }
