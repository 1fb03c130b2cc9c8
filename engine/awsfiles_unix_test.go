//go:build unix

package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/fsutil"
)

// TestIssue10Item9FIFO: a FIFO as the config or credentials file is
// refused at once; the SDK alone would block in open(2) forever.
func TestIssue10Item9FIFO(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config")
	os.WriteFile(config, []byte(filesConfig), 0o600)
	for _, env := range []Env{{ConfigFile: fifo}, {ConfigFile: config, CredentialsFile: fifo}} {
		err := withinDeadline(t, 20*time.Second, func() error {
			_, err := Load(context.Background(), Options{Env: env, Profile: "cfgkeys"})
			return err
		})
		if !errors.Is(err, fsutil.ErrNotRegular) || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), fifo+": not a regular file (a named pipe)") {
			t.Errorf("err = %v, want ErrInvalidConfig naming the named pipe", err)
		}
		if _, err := ListProfileNames(env); !errors.Is(err, fsutil.ErrNotRegular) {
			t.Errorf("ListProfileNames: %v, want ErrNotRegular", err)
		}
		// What the sign-in reads before the SDK does (review 2, M3).
		if _, _, err := SDKFiles(env); !errors.Is(err, fsutil.ErrNotRegular) {
			t.Errorf("SDKFiles: %v, want ErrNotRegular", err)
		}
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		err := withinDeadline(t, 20*time.Second, func() error {
			_, err := LoadSSOSession(Env{ConfigFile: path}, "my-sso")
			return err
		})
		if !errors.Is(err, fsutil.ErrNotRegular) {
			t.Errorf("LoadSSOSession(%s): %v, want ErrNotRegular", path, err)
		}
	}
	cf, crf, err := SDKFiles(Env{ConfigFile: config, CredentialsFile: os.DevNull})
	if err != nil || len(cf) != 1 || cf[0] != config || crf == nil || len(crf) != 0 {
		t.Errorf("SDKFiles = %q, %q, %v; want the config file and an empty list for /dev/null", cf, crf, err)
	}
}
