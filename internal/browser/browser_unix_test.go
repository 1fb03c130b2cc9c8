//go:build unix

package browser

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenLeavesTheBrowserRunning: a browser command that stays (firefox
// started with no firefox running is the user's whole browser) outlives
// the ctx of Open, in a process group of its own, out of reach of the
// terminal's Ctrl-C (review 2, M4). The test reaps its stand-in.
func TestOpenLeavesTheBrowserRunning(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	stays := script(t, "echo $$ > "+pidFile+".tmp && mv "+pidFile+".tmp "+pidFile+"\nexec sleep 60\n")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Open(ctx, "https://h/", Options{Getenv: func(string) string { return stays }}) }()
	var pid int
	for deadline := time.Now().Add(10 * time.Second); pid == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the browser did not start")
		}
		if b, err := os.ReadFile(pidFile); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Open: %v, want context.Canceled", err)
	}
	time.Sleep(100 * time.Millisecond) // a kill would have landed by now
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("the browser did not outlive Open's ctx: %v", err)
	}
	if pgid, err := syscall.Getpgid(pid); err != nil || pgid != pid {
		t.Errorf("the browser's process group is %d (%v), want its own, %d", pgid, err, pid)
	}
}
