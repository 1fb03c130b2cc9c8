// Package exectest writes programs for tests to run.
//
// A test that writes a script and runs it while another test of the same
// process starts a child can fail with ETXTBSY ("text file busy"): the
// child inherits the script's write descriptor for the moment between
// fork and exec, and the kernel refuses to run a file open for writing
// (golang/go#22315). [WriteProgram] holds syscall.ForkLock while the file
// is open, so no child can be started in that moment.
package exectest

import (
	"os"
	"syscall"
	"testing"
)

// WriteProgram writes an executable file (mode 0755) at path, failing the
// test on error.
func WriteProgram(t testing.TB, path string, content []byte) {
	t.Helper()
	if err := writeProgram(path, content); err != nil {
		t.Fatal(err)
	}
}

func writeProgram(path string, content []byte) error {
	syscall.ForkLock.Lock()
	defer syscall.ForkLock.Unlock()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_CLOEXEC, 0o755)
	if err != nil {
		return err
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
