//go:build unix

package rundir

import (
	"os"
	"syscall"
)

// ownedDir says whether path is a folder (not a symlink to one) owned by
// uid.
func ownedDir(path string, uid int) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.IsDir() {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == uid
}
