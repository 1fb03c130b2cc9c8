package fakeaws

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

var tmpRoot string // removed by TestMain

func TestMain(m *testing.M) {
	var err error
	if tmpRoot, err = os.MkdirTemp("", "fakeaws-test-"); err != nil {
		panic(err)
	}
	// Build the stand-in browser now: tests that move HOME (Isolate) would
	// otherwise build it with a cold Go build cache.
	buildBrowser()
	code := m.Run()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

// clock is a settable clock for the fakes and the SDKs' expiry checks.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().Truncate(time.Second)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// needTool skips the test locally and fails it under CI=true.
func needTool(t *testing.T, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("required under CI: %s", why)
	}
	t.Skip(why)
}

var (
	browserOnce sync.Once
	browserPath string
	browserErr  error
)

func buildBrowser() {
	browserOnce.Do(func() {
		browserPath = filepath.Join(tmpRoot, "fakebrowser")
		out, err := exec.Command("go", "build", "-o", browserPath, "./fakebrowser").CombinedOutput()
		if err != nil {
			browserErr = errors.New(string(out))
		}
	})
}

// fakeBrowser returns the stand-in browser, built once per test binary.
func fakeBrowser(t *testing.T) string {
	t.Helper()
	buildBrowser()
	if browserErr != nil {
		t.Fatalf("build fakebrowser: %v", browserErr)
	}
	return browserPath
}

// openBrowser runs the stand-in browser on u in mode, as a client running
// $BROWSER does, and returns the file its URLs are logged to.
func openBrowser(t *testing.T, mode, u string, wait bool) (logFile string, err error) {
	t.Helper()
	logFile = filepath.Join(t.TempDir(), "browser.log")
	cmd := exec.Command(fakeBrowser(t), u)
	cmd.Env = append(os.Environ(), "FAKEBROWSER_MODE="+mode, "FAKEBROWSER_LOG="+logFile)
	if wait {
		cmd.Env = append(cmd.Env, "FAKEBROWSER_WAIT=1")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return logFile, errors.New(strings.TrimSpace(string(out)))
	}
	return logFile, nil
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	for s := bufio.NewScanner(f); s.Scan(); {
		out = append(out, s.Text())
	}
	return out
}

// callback is a loopback redirect listener like the AWS CLI's
// AuthCodeFetcher: bound before the browser opens, it hands over the
// first request's query.
type callback struct {
	URI string // http://127.0.0.1:PORT/oauth/callback
	got chan url.Values
	srv *http.Server
}

func newCallback(t *testing.T) *callback {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cb := &callback{URI: "http://" + l.Addr().String() + "/oauth/callback", got: make(chan url.Values, 1)}
	cb.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/callback" {
			http.NotFound(w, r)
			return
		}
		select {
		case cb.got <- r.URL.Query():
		default:
		}
		w.Write([]byte("you can close this window"))
	})}
	go cb.srv.Serve(l)
	t.Cleanup(func() { cb.srv.Close() })
	return cb
}

func (cb *callback) wait(t *testing.T) url.Values {
	t.Helper()
	select {
	case q := <-cb.got:
		return q
	case <-time.After(15 * time.Second):
		t.Fatal("the browser never reached the loopback callback")
		return nil
	}
}

// fastRetryer retries like the SDK's standard retryer, without the waits.
func fastRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

func bg() context.Context { return context.Background() }
