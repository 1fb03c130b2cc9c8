package settings

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// File is settings.json as a running front end keeps it: the checksum
// of what it last read or wrote, to tell the user's edits from its own,
// and whether the file on disk has an error. A File is safe for
// concurrent use.
type File struct {
	path string

	mu  sync.Mutex // protects the fields below
	sum [sha256.Size]byte
	err error // the error of the file on disk; nil when it has none
}

// ErrNotSaved is wrapped by [File.Save] while the file has an error.
var ErrNotSaved = errors.New("settings not saved: settings.json has an error; fix it first")

// Open loads the settings at path at start-up, as [Load] does, and keeps
// the file: when it had no error (or was missing, or was moved aside as
// corrupt) the settings are written back at once, so that a first run
// creates the file with its ECS token and an older file gains the keys
// it lacked. A file with an error left in place is not written; its
// error is returned (and stays [File.Err] until the file is fixed) with
// the usable settings.
func Open(path string) (*File, Settings, error) {
	f := &File{path: path}
	s, err := Load(path)
	if err != nil {
		if _, lerr := os.Lstat(path); lerr == nil {
			// Left in place (a bad value, a symlink, unreadable): the
			// user's to fix, and not written until then.
			f.err = err
			if data, rerr := Read(path); rerr == nil {
				f.sum = sha256.Sum256(data)
			}
			return f, s, err
		}
	}
	if serr := f.Save(s); serr != nil && err == nil {
		err = serr
	}
	return f, s, err
}

// Path returns the file's path.
func (f *File) Path() string { return f.path }

// Err returns the error the file on disk has, nil when it has none.
func (f *File) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// Reload reads the file again if its content is not what was last read
// or written. changed says it was, and s holds the new settings. A file
// with an error is left as it is: err is the error (a [*Error]), changed
// is false and the caller keeps the settings it has; the error is
// returned once per version of the file (later calls see the same file
// and return nothing), and [File.Err] holds it until the file is fixed
// or removed. A missing file is no change.
//
// The file is read while the File is locked, so a [File.Save] comes
// wholly before or after it: a version this File wrote is never taken
// for an edit (a read before a save, compared after it, would be). A
// caller that keeps the settings under a lock of its own takes that
// lock first and holds it across Reload and the adoption of s, and
// across the change and [File.Save], so that a reload and a change
// never interleave (see engine/daemon).
func (f *File) Reload() (s Settings, changed bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, rerr := Read(f.path)
	if rerr != nil {
		if errors.Is(rerr, fs.ErrNotExist) {
			f.err = nil // the broken file is gone; saving may write a new one
		}
		return Settings{}, false, nil
	}
	sum := sha256.Sum256(data)
	if sum == f.sum {
		return Settings{}, false, nil
	}
	f.sum = sum
	s, err = Parse(f.path, data)
	if err != nil {
		f.err = err
		return Settings{}, false, err
	}
	f.err = nil
	return s, true, nil
}

// Save writes s to the file. While the file has an error nothing is
// written and the error wraps [ErrNotSaved] and the file's error.
func (f *File) Save(s Settings) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return fmt.Errorf("%w: %w", ErrNotSaved, f.err)
	}
	data, err := s.Write(f.path)
	if err != nil {
		return err
	}
	f.sum = sha256.Sum256(data)
	return nil
}
