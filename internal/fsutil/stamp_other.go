//go:build !unix

package fsutil

import "io/fs"

// sysStamp is empty: os.Stat gives no file identity here (Windows'
// file index needs an open handle), so size, time and mode are the
// stamp.
type sysStamp struct{}

func sysStampOf(fs.FileInfo) sysStamp { return sysStamp{} }

func (sysStamp) changed() int64 { return 0 }
