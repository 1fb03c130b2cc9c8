package fsutil

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// ErrNotRegular is wrapped by [CheckRegular], [ReadRegular] and
// [WriteFileAtomic] for a path that is not a regular file (a folder, a
// FIFO, a device, a socket).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by [CheckRegular] and [ReadRegular] for a file
// beyond the size limit.
var ErrTooLarge = errors.New("file too large")

// CheckRegular returns the file info of path (symlinks followed) when it
// is a regular file of at most limit bytes; a limit of 0 or less means no
// limit. Otherwise the error is one line that names the path and the
// reason and wraps [ErrNotRegular] or [ErrTooLarge] (or, for a missing
// file, [fs.ErrNotExist]).
func CheckRegular(path string, limit int64) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(path, fi, limit); err != nil {
		return nil, err
	}
	return fi, nil
}

// ReadRegular reads the regular file at path (symlinks followed) of at
// most limit bytes, with the errors of [CheckRegular]; a limit of 0 or
// less means no limit. It never waits on a FIFO and never opens a device:
// the path is checked before it is opened and the opened file again,
// since the path can change in between.
func ReadRegular(path string, limit int64) ([]byte, error) {
	if _, err := CheckRegular(path, limit); err != nil {
		return nil, err
	}
	f, err := openRead(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkRegular(path, fi, limit); err != nil {
		return nil, err
	}
	var r io.Reader = f
	if limit > 0 {
		r = io.LimitReader(f, limit+1)
	}
	// A file that grows while it is read is still held to the limit.
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + 1)
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, WithPaths(fmt.Errorf("read %s: %w", path, err), path)
	}
	data := buf.Bytes()
	if limit > 0 && int64(len(data)) > limit {
		return nil, WithPaths(fmt.Errorf("%s: %w (over the %s limit)", path, ErrTooLarge, formatSize(limit)), path)
	}
	return data, nil
}

func checkRegular(path string, fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return notRegular(path, fi.Mode())
	}
	if limit > 0 && fi.Size() > limit {
		return WithPaths(fmt.Errorf("%s: %w (%s, the limit is %s)", path, ErrTooLarge, formatSize(fi.Size()), formatSize(limit)), path)
	}
	return nil
}

// notRegular is the error for a path whose file has mode m.
func notRegular(path string, m fs.FileMode) error {
	kind := "an irregular file"
	switch {
	case m.IsDir():
		kind = "a folder"
	case m&fs.ModeSymlink != 0:
		kind = "a symlink"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return WithPaths(fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, kind), path)
}

// formatSize writes n bytes for people: "512 bytes", "16 MiB", "1.5 GiB".
func formatSize(n int64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	f, u := float64(n)/1024, 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0") + " " + units[u:u+1] + "iB"
}
