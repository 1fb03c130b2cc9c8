package fsutil

import (
	"io/fs"
	"time"
)

// Stamp is what a file's metadata says of its content without reading
// it: two equal stamps of one path, taken at different times, mean the
// content is the same unless it was rewritten in place to the same size
// within the file system's timestamp granularity. [Stamp.Settled] tells
// when that cannot have happened since a read. Stamps are comparable.
type Stamp struct {
	size  int64
	mtime int64 // ns
	mode  fs.FileMode
	sys   sysStamp // the file's identity, where the system gives one
}

// StampOf returns the stamp of the file fi describes.
func StampOf(fi fs.FileInfo) Stamp {
	return Stamp{size: fi.Size(), mtime: fi.ModTime().UnixNano(), mode: fi.Mode(), sys: sysStampOf(fi)}
}

// racyWindow is how long after a file's modification time a same-size
// rewrite in place could still leave its stamp unchanged: file systems
// take timestamps from a clock that ticks every few milliseconds, FAT's
// every two seconds. (Git treats index entries the same way: an entry
// not older than the index is "racily clean" and its content checked.)
const racyWindow = 3 * time.Second

// Settled reports whether content read at readAt (a time taken before
// the read began) is all this stamp can change with: the file was last
// modified (and, on Unix, last changed in status) well before the read,
// so a later rewrite moves its times.
func (s Stamp) Settled(readAt time.Time) bool {
	return max(s.mtime, s.sys.changed()) < readAt.Add(-racyWindow).UnixNano()
}
