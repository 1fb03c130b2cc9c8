package fsutil

import (
	"io/fs"
	"os"
	"os/exec"
)

// pathsError is an error whose message names file paths (see
// [WithPaths]).
type pathsError struct {
	err   error
	paths []string
}

func (e *pathsError) Error() string { return e.err.Error() }
func (e *pathsError) Unwrap() error { return e.err }

// WithPaths returns err marked as naming the file paths paths in its
// message, so that a redaction of the message (engine.Redact masks
// opaque runs of letters and digits, which a folder name can be) keeps
// them whole: see [Paths]. The message and the errors err wraps are
// unchanged. A nil err stays nil.
func WithPaths(err error, paths ...string) error {
	if err == nil {
		return nil
	}
	return &pathsError{err: err, paths: paths}
}

// Paths returns the file paths that err, and every error it wraps, name
// in their messages: those given to [WithPaths], the Path of an
// *fs.PathError, Old and New of an *os.LinkError, the Name of an
// *exec.Error, and those extra returns for it (nil for none), for the
// error types of other packages. Every error fsutil returns that names a
// path says so.
func Paths(err error, extra func(error) []string) []string {
	var out []string
	walk(err, func(err error) {
		if extra != nil {
			out = append(out, extra(err)...)
		}
		switch e := err.(type) {
		case *pathsError:
			out = append(out, e.paths...)
		case *fs.PathError:
			out = append(out, e.Path)
		case *os.LinkError:
			out = append(out, e.Old, e.New)
		case *exec.Error:
			out = append(out, e.Name)
		}
	})
	return out
}

// walk calls f for err and every error it wraps, depth first, as
// errors.As visits them.
func walk(err error, f func(error)) {
	for depth := 0; err != nil && depth < 100; depth++ {
		f(err)
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e, f)
			}
			return
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return
		}
	}
}
