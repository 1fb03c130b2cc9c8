//go:build wine

package wine

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// testLocalsock runs internal/localsock's own tests, built for Windows,
// under Wine: the named-pipe listener and client (a round trip, HTTP over
// the pipe, 20 clients at once, a daemon and a client in two processes,
// a silent daemon ended by the caller's deadline, Close waking Accept),
// the pipe's security descriptor read back (owner and a protected,
// user-only DACL), a pipe owned by another SID refused by Dial, and a
// missing pipe reported at once.
//
// Wine shows less than Windows: it does not emulate
// FILE_FLAG_FIRST_PIPE_INSTANCE (so the second-listener test skips
// there), it has one Unix user and so one SID (no client of another
// user can be refused, and DACLs are not enforced between users), and it
// lets an unprivileged process name SYSTEM as a pipe's owner (which is
// what lets the owner-refusal test run at all).
func (w *wine) testLocalsock(t *testing.T) {
	exe := filepath.Join(w.dir, "bin", "localsock.test.exe")
	cmd := exec.Command("go", "test", "-c", "-o", exe, "./internal/localsock")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -c ./internal/localsock: %v\n%s", err, out)
	}
	r := w.run(t, nil, "", exe, "-test.v", "-test.count=1")
	if r.code != 0 || !strings.Contains(r.stdout, "\nPASS\n") {
		t.Fatalf("localsock tests under Wine: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// Every test ran, but the one Wine cannot show.
	skipped := regexp.MustCompile(`(?m)^\s*--- SKIP: (\S+)`).FindAllStringSubmatch(r.stdout, -1)
	for _, m := range skipped {
		if m[1] != "TestPipeSecondListener" {
			t.Errorf("%s skipped under Wine:\n%s", m[1], r.stdout)
		}
	}
	for _, name := range []string{"TestPipeListenDial", "TestPipeSecurity", "TestPipeOwnerRefused", "TestPipeClientUser", "TestPipeOtherProcess", "TestPipeConcurrentClients"} {
		if !strings.Contains(r.stdout, "--- PASS: "+name+" ") {
			t.Errorf("%s did not pass under Wine:\n%s", name, r.stdout)
		}
	}
}
