package fsutil

import (
	"errors"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestReadRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "small"), "hello", 0o600)
	writeFile(t, filepath.Join(dir, "empty"), "", 0o600)
	symlink(t, "small", filepath.Join(dir, "link"))
	for _, tc := range []struct {
		name    string
		path    string // under dir unless absolute
		limit   int64
		want    string
		wantErr error
		wantMsg string // in the error, after the path
	}{
		{name: "regular", path: "small", limit: 16 << 20, want: "hello"},
		{name: "at_the_limit", path: "small", limit: 5, want: "hello"},
		{name: "no_limit", path: "small", limit: 0, want: "hello"},
		{name: "empty", path: "empty", limit: 1, want: ""},
		{name: "symlink_followed", path: "link", limit: 5, want: "hello"},
		{name: "over_the_limit", path: "small", limit: 4, wantErr: ErrTooLarge, wantMsg: ": file too large (5 bytes, the limit is 4 bytes)"},
		{name: "folder", path: ".", limit: 5, wantErr: ErrNotRegular, wantMsg: ": not a regular file (a folder)"},
		{name: "missing", path: "missing", limit: 5, wantErr: fs.ErrNotExist, wantMsg: ": no such file or directory"},
		{name: "dev_zero", path: "/dev/zero", limit: 16 << 20, wantErr: ErrNotRegular, wantMsg: ": not a regular file (a character device)"},
		{name: "dev_null", path: "/dev/null", limit: 16 << 20, wantErr: ErrNotRegular, wantMsg: ": not a regular file (a character device)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.path
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, path)
			} else if runtime.GOOS == "windows" {
				t.Skip("no /dev on Windows")
			}
			got, err := ReadRegular(path, tc.limit)
			_, cerr := CheckRegular(path, tc.limit)
			if tc.wantErr == nil {
				if err != nil || string(got) != tc.want || cerr != nil {
					t.Errorf("ReadRegular = %q, %v (CheckRegular: %v); want %q", got, err, cerr, tc.want)
				}
				return
			}
			for name, err := range map[string]error{"ReadRegular": err, "CheckRegular": cerr} {
				if !errors.Is(err, tc.wantErr) || err.Error() != path+tc.wantMsg && !strings.HasSuffix(err.Error(), path+tc.wantMsg) {
					t.Errorf("%s: err = %v, want %v ending %q", name, err, tc.wantErr, path+tc.wantMsg)
				}
			}
		})
	}
}

// TestReadRegularFIFO must return at once: opening a FIFO with no writer
// would wait for one forever.
func TestReadRegularFIFO(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, path)
	done := make(chan error, 2)
	go func() { _, err := ReadRegular(path, 1<<20); done <- err }()
	go func() { _, err := CheckRegular(path, 1<<20); done <- err }()
	for range 2 {
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) || err.Error() != path+": not a regular file (a named pipe)" {
				t.Errorf("err = %v, want ErrNotRegular (a named pipe)", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("ReadRegular hangs on a FIFO")
		}
	}
}

// TestReadRegularOpenedFIFO covers the FIFO that replaces a checked path
// before it is opened: the open must not wait and the opened file is
// checked again.
func TestReadRegularOpenedFIFO(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, path)
	done := make(chan error, 1)
	go func() {
		f, err := openRead(path)
		if err != nil {
			done <- err
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err == nil {
			err = checkRegular(path, fi, 0)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("err = %v, want ErrNotRegular", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("openRead waits on a FIFO")
	}
}

func TestReadRegularLarge(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "big")
	data := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	writeFile(t, path, data, 0o600)
	if got, err := ReadRegular(path, 1<<20); err != nil || string(got) != data {
		t.Errorf("1 MiB at a 1 MiB limit: %d bytes, %v", len(got), err)
	}
	_, err := ReadRegular(path, 1<<20-1)
	if want := path + ": file too large (1 MiB, the limit is 1024 KiB)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestFormatSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 16 << 20: "16 MiB", 3 << 30: "3 GiB", 1<<40 + 1<<39: "1.5 TiB"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
