package fsutil

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/awsxc/awsxc/internal/exectest"
)

// unavailable skips a test whose tool or privilege is missing, or fails it
// under CI=true, so that a green CI never comes from skipped tests.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// needRoot is for tests that change owners or mount file systems.
func needRoot(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		unavailable(t, "needs root on Linux")
	}
}

// mountTmpfs mounts a fresh tmpfs (with extra mount options) and returns
// its path.
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	needRoot(t)
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		unavailable(t, "cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// helperEnv starts this test binary as a helper process (see
// TestHelperProcess) doing op with args.
const helperEnv = "AWSXC_FSUTIL_HELPER"

func helper(bin, op string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+strings.Join(append([]string{op}, args...), "\x1f"))
	return cmd
}

// TestHelperProcess is the child process of the cross-process tests:
//
//	write PATH BYTE N COUNT  writes COUNT times N copies of BYTE atomically
//	lock PATH                takes the lock, says "locked", holds it until stdin closes
//	trylock PATH             tries the lock once, prints the error or "locked"
func TestHelperProcess(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("helper process for the cross-process tests")
	}
	args := strings.Split(spec, "\x1f")
	err := func() error {
		switch args[0] {
		case "write":
			var n, count int
			fmt.Sscan(args[3], &n)
			fmt.Sscan(args[4], &count)
			data := []byte(strings.Repeat(args[2], n))
			for range count {
				if err := WriteFileAtomic(args[1], data, 0o600); err != nil {
					return err
				}
			}
		case "lock":
			l, err := Lock(args[1])
			if err != nil {
				return err
			}
			fmt.Println("locked")
			io.Copy(io.Discard, os.Stdin)
			return l.Unlock()
		case "trylock":
			l, err := TryLock(args[1])
			if err != nil {
				return err
			}
			fmt.Println("locked")
			return l.Unlock()
		}
		return nil
	}()
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	os.Exit(0)
}

// copyTestBinary copies this test binary into a folder that every user
// can read, for a helper run as nobody (go test's build folder is root's
// alone).
func copyTestBinary(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "fsutil.test")
	exectest.WriteProgram(t, bin, data)
	return bin
}
