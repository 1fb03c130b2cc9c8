//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/exectest"
)

// TestDaemonOfAnotherUser: a daemon run by another user (nobody), whose
// socket is made to look like ours, is refused by the peer check; the
// run resolves in process.
func TestDaemonOfAnotherUser(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root")
		}
		t.Skip("needs root")
	}
	f := newFixture(t)
	base, err := os.MkdirTemp("", "axn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o711)
	exe := filepath.Join(base, "awsxc-cli")
	data, _ := os.ReadFile(binary)
	exectest.WriteProgram(t, exe, data)
	home := filepath.Join(base, "home")
	os.Mkdir(home, 0o700)
	os.Chown(home, 65534, 65534)
	cmd := exec.Command(exe, "daemon")
	cmd.Env = []string{"HOME=" + home, "XDG_RUNTIME_DIR=" + home, "PATH=/usr/bin:/bin"}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var log syncBuffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	theirs := filepath.Join(home, "awsxc", "daemon.sock")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log.String(), "listening"); {
		if time.Now().After(deadline) {
			t.Fatalf("nobody's daemon did not start:\n%s", log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	os.Mkdir(filepath.Dir(f.socket()), 0o700)
	if err := os.Rename(theirs, f.socket()); err != nil {
		t.Fatal(err)
	}
	os.Lchown(f.socket(), 0, 0)
	r := f.runBinary(t, "", nil, "--profile", "static", "--json", "--debug")
	if r.code != 0 || accessKey(t, r.stdout) != "AKIAEXAMPLE" || !strings.Contains(r.stderr, "runs as uid 65534") {
		t.Errorf("a daemon of uid 65534: exit %d, %q\n%s", r.code, r.stdout, r.stderr)
	}
}
