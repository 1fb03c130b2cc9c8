//go:build wine

package wine

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unitTests builds the tests of pkg for Windows and runs those matching
// run under Wine; each test in want must pass, and none may skip.
func (w *wine) unitTests(t *testing.T, pkg, run string, want ...string) {
	t.Helper()
	exe := filepath.Join(w.dir, "bin", filepath.Base(pkg)+".test.exe")
	cmd := exec.Command("go", "test", "-c", "-o", exe, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -c %s: %v\n%s", pkg, err, out)
	}
	args := []string{"-test.v", "-test.count=1", "-test.run", run}
	r := w.run(t, nil, "", exe, args...)
	if r.code != 0 && !strings.Contains(r.stdout, "=== RUN") {
		// The test binary ran no test at all and said nothing: Wine did
		// not run it (seen once in CI: exit 1, no output). Once more, with
		// Wine's error channel on, so that a second failure says why.
		t.Logf("%s under Wine: exit %d before any test ran (stderr %q); once more", filepath.Base(exe), r.code, r.stderr)
		r = w.run(t, []string{"WINEDEBUG=err+all"}, "", exe, args...)
	}
	if r.code != 0 || !strings.Contains(r.stdout, "\nPASS\n") || strings.Contains(r.stdout, "--- SKIP") {
		t.Fatalf("%s tests under Wine: exit %d\n%s\n%s", pkg, r.code, r.stdout, r.stderr)
	}
	for _, name := range want {
		if !strings.Contains(r.stdout, "--- PASS: "+name+" ") {
			t.Errorf("%s did not pass under Wine:\n%s", name, r.stdout)
		}
	}
}

// testFsutil runs internal/fsutil's Windows-only test under Wine: a write
// over a file another program holds open without FILE_SHARE_DELETE (Wine
// refuses that rename with access denied, as Windows does) waits for it
// to be closed instead of failing. The rest of fsutil's tests are not run
// here: they check Unix modes, and t.TempDir's clean-up fails under Wine 8.
func (w *wine) testFsutil(t *testing.T) {
	w.unitTests(t, "./internal/fsutil", "^TestWriteFileAtomicWhileOpen$", "TestWriteFileAtomicWhileOpen")
}

// testHandoff runs internal/handoff's tests of the Windows peer check
// under Wine: GetExtendedTcpTable names this process as the owner of its
// own loopback connection, and the redirect answers it (Wine has one
// Unix user, so no other user's process can be refused here: that is
// tested on Linux, as nobody), the detection of a second request, and
// Open not waiting for the browser.
func (w *wine) testHandoff(t *testing.T) {
	w.unitTests(t, "./internal/handoff", "^(TestPeerOwnedRealConnection|TestTCPTableOwnerPID|TestRedirect|TestOpen|TestOpenDetectsSecondRequest|TestOpenDoesNotWaitForTheBrowser)$",
		"TestPeerOwnedRealConnection", "TestRedirect", "TestOpenDetectsSecondRequest", "TestOpenDoesNotWaitForTheBrowser")
}
