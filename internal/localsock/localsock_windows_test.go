package localsock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// These tests run on Windows, and under Wine through test/wine (which
// builds this package's test binary for Windows). Wine does not emulate
// everything: see underWine.

func osHelper(string, string) (int, bool) { return 0, false }

var pipeSeq atomic.Int64

// pipePath returns a pipe name no other test uses.
func pipePath(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf(`\\.\pipe\awsxc-test-%d-%d`, os.Getpid(), pipeSeq.Add(1))
}

// underWine says whether the test runs under Wine, whose ntdll exports
// wine_get_version.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

func TestPipeListenDial(t *testing.T) {
	t.Parallel()
	path := pipePath(t)
	l := listenEcho(t, Options{Path: path})
	if l.Addr().Network() != "pipe" || l.Addr().String() != path {
		t.Errorf("Addr %s %s, want pipe %s", l.Addr().Network(), l.Addr(), path)
	}
	for range 3 {
		wantPing(t, path)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
	_, err := Dial(context.Background(), Options{Path: path})
	wantKind(t, "Dial after Close", err, "nodaemon")
	listenEcho(t, Options{Path: path})
	wantPing(t, path)
}

func TestPipeHTTP(t *testing.T) {
	t.Parallel()
	testHTTP(t, pipePath(t))
}

func TestPipeConcurrentClients(t *testing.T) {
	t.Parallel()
	testConcurrent(t, pipePath(t))
}

func TestPipeDefaultPath(t *testing.T) {
	t.Parallel()
	got, err := DefaultPath(func(string) string { return "" })
	if err != nil || !strings.HasPrefix(got, `\\.\pipe\awsxc-S-1-`) {
		t.Errorf("DefaultPath = %q, %v", got, err)
	}
}

func TestPipeName(t *testing.T) {
	t.Parallel()
	if _, err := Listen(Options{Path: `C:\awsxc.sock`}); err == nil || !strings.Contains(err.Error(), `does not start with \\.\pipe\`) {
		t.Errorf("Listen: %v", err)
	}
	if _, err := Dial(context.Background(), Options{Path: `\\.\pipe\`}); err == nil {
		t.Error("Dial of an empty pipe name: no error")
	}
}

func TestPipeNoDaemon(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	_, err := Dial(context.Background(), Options{Path: pipePath(t)})
	wantKind(t, "Dial", err, "nodaemon")
	if !errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
		t.Errorf("err = %v, want ERROR_FILE_NOT_FOUND", err)
	}
	t.Logf("Dial to a missing pipe took %v", time.Since(t0))
}

// TestPipeSecurity reads the pipe's security descriptor back: owned by
// the user, a protected DACL with one entry, for the user.
func TestPipeSecurity(t *testing.T) {
	t.Parallel()
	path := pipePath(t)
	listenEcho(t, Options{Path: path})
	c, err := Dial(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	me, err := userSID()
	if err != nil {
		t.Fatal(err)
	}
	h := windows.Handle(c.(*pipeConn).f.Fd())
	sd, err := windows.GetSecurityInfo(h, windows.SE_KERNEL_OBJECT, windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pipe security descriptor: %s", sd)
	owner, _, err := sd.Owner()
	if err != nil || !owner.Equals(me) {
		t.Errorf("owner %v, %v; want %s", owner, err, me)
	}
	control, _, err := sd.Control()
	if err != nil || control&windows.SE_DACL_PROTECTED == 0 {
		t.Errorf("control %#x, %v: DACL not protected", control, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		t.Fatalf("DACL %v, %v", dacl, err)
	}
	if dacl.AceCount != 1 {
		t.Fatalf("DACL has %d entries, want 1: %s", dacl.AceCount, sd)
	}
	var ace *windows.ACCESS_ALLOWED_ACE
	if err := windows.GetAce(dacl, 0, &ace); err != nil {
		t.Fatal(err)
	}
	sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
	if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || !sid.Equals(me) {
		t.Errorf("DACL entry: type %d for %s, want an allow entry for %s", ace.Header.AceType, sid, me)
	}
}

// TestPipeClientUser: the listener's check finds the client process's
// user and pid. (Under Wine there is no other user whose client it could
// refuse; on Windows the DACL already keeps other users out.)
func TestPipeClientUser(t *testing.T) {
	t.Parallel()
	path := pipePath(t)
	l, err := Listen(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := Dial(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	sid, pid, err := clientUser(windows.Handle(sc.(*pipeConn).f.Fd()))
	me, _ := userSID()
	if err != nil || !sid.Equals(me) || pid != uint32(os.Getpid()) {
		t.Errorf("clientUser = %v, %d, %v; want %s, %d", sid, pid, err, me, os.Getpid())
	}
}

// TestPipeOwnerRefused: a pipe of the right name that another user owns
// (here one made with SYSTEM as its owner, which Windows allows only to
// a privileged process) is refused by Dial.
func TestPipeOwnerRefused(t *testing.T) {
	t.Parallel()
	path := pipePath(t)
	sd, err := windows.SecurityDescriptorFromString("O:SYD:(A;;GA;;;WD)")
	if err != nil {
		t.Fatal(err)
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	name, _ := windows.UTF16PtrFromString(path)
	h, err := windows.CreateNamedPipe(name, windows.PIPE_ACCESS_DUPLEX|windows.FILE_FLAG_OVERLAPPED,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT, windows.PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, sa)
	if err != nil {
		t.Skipf("cannot make a pipe owned by SYSTEM here: %v", err)
	}
	defer windows.CloseHandle(h)
	_, err = Dial(context.Background(), Options{Path: path})
	wantKind(t, "Dial", err, "peer")
	if err == nil || !strings.Contains(err.Error(), "belongs to S-1-5-18") {
		t.Errorf("Dial: %v", err)
	}
}

// TestPipeSecondListener: FILE_FLAG_FIRST_PIPE_INSTANCE refuses a second
// listener on the name. Wine does not emulate the flag.
func TestPipeSecondListener(t *testing.T) {
	t.Parallel()
	path := pipePath(t)
	listenEcho(t, Options{Path: path})
	l, err := Listen(Options{Path: path})
	if err == nil && underWine() {
		l.Close()
		t.Skip("Wine does not emulate FILE_FLAG_FIRST_PIPE_INSTANCE")
	}
	if l != nil {
		l.Close()
	}
	wantKind(t, "second Listen", err, "running")
	wantPing(t, path)
}

// TestPipeSilentDaemon: a daemon that never accepts still lets a client
// open the pipe; only the caller's deadline ends the wait.
func TestPipeSilentDaemon(t *testing.T) {
	t.Parallel()
	path := pipePath(t)
	l, err := Listen(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := Dial(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Read from a silent daemon: %v, want the deadline", err)
	}
}

// TestPipeOtherProcess: a daemon in one process, a client in another,
// both ways round.
func TestPipeOtherProcess(t *testing.T) {
	t.Parallel()
	path := pipePath(t)
	if _, line := startChild(t, "", "listen", path, nil); line != "ready" {
		t.Fatalf("helper: %s", line)
	}
	wantPing(t, path)

	mine := pipePath(t)
	listenEcho(t, Options{Path: mine})
	if _, line := startChild(t, "", "dial", mine, nil); line != "ok echo ping" {
		t.Errorf("client in another process: %s", line)
	}
}

// TestPipeCloseWhileAccepting: Close wakes an Accept that waits.
func TestPipeCloseWhileAccepting(t *testing.T) {
	t.Parallel()
	l, err := Listen(Options{Path: pipePath(t)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept: %v, want net.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Accept still waits after Close")
	}
}

func BenchmarkPipeDialMissing(b *testing.B) {
	opts := Options{Path: `\\.\pipe\awsxc-bench-missing`}
	ctx := context.Background()
	for b.Loop() {
		if _, err := Dial(ctx, opts); kindOf(err) != "nodaemon" {
			b.Fatal(err)
		}
	}
}

func BenchmarkPipeDialLive(b *testing.B) {
	opts := Options{Path: fmt.Sprintf(`\\.\pipe\awsxc-bench-%d`, os.Getpid())}
	l, err := Listen(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	ctx := context.Background()
	for b.Loop() {
		c, err := Dial(ctx, opts)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// endpoint is a fresh endpoint for the tests every system runs.
func endpoint(t *testing.T) string { return pipePath(t) }
