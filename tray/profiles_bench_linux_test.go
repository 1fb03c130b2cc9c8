//go:build linux

package tray_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/desktoptest"
	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/tray"
	"github.com/awsxc/awsxc/tray/internal/snitest"
)

// BenchmarkTrayPublish1000 starts the real awsxc binary on a private
// session bus with 1,000 profiles (900 synced roles over 300 named
// accounts, 100 static profiles) and reports, per start:
//
//   - ms/publish: from the process start until a host's GetLayout
//     returns the whole menu with every profile (systray answers the
//     first GetLayout one level deep; a host asks again at once);
//   - ms/GetLayout: one full GetLayout round trip of that menu, the
//     median of 10, which a host pays on every LayoutUpdated;
//   - items: the items published; MiB/VmRSS: the tray's resident memory
//     then.
//
// These are numbers to report (make bench), not a test: nothing here
// fails on a time.
func BenchmarkTrayPublish1000(b *testing.B) { benchPublish(b, 1000) }

// BenchmarkTrayPublish15 is the baseline of BenchmarkTrayPublish1000: the
// same start with 15 static profiles (a flat menu).
func BenchmarkTrayPublish15(b *testing.B) { benchPublish(b, 15) }

func benchPublish(b *testing.B, profiles int) {
	desktoptest.Need(b, "dbus-daemon")
	bin, err := buildApp()
	if err != nil {
		b.Fatal(err)
	}
	bus := desktoptest.StartBus(b)
	w := snitest.StartWatcher(b, bus)
	home := b.TempDir()
	if n := writeProfiles(b, home, profiles); n != profiles {
		b.Fatalf("%d profiles written, want %d", n, profiles)
	}
	vars := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "XDG_RUNTIME_DIR=" + filepath.Join(home, "run"),
		"DBUS_SESSION_BUS_ADDRESS=" + bus, "AWS_EC2_METADATA_DISABLED=true"}
	os.MkdirAll(filepath.Join(home, "run"), 0o700)
	var publish, layout, rss []float64
	items := 0
	for b.Loop() {
		t0 := time.Now()
		cmd := exec.Command(bin)
		cmd.Env = vars
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		tr := snitest.Open(b, w.Conn, w.Wait(b, 20*time.Second))
		var root snitest.Item
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
			root = tr.Layout(b)
			if p, _ := root.Path("Profiles"); profileLeaves(p) == profiles {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("no layout with %d profiles:\n%s", profiles, root)
			}
		}
		publish = append(publish, ms(time.Since(t0)))
		items = root.Count()
		for range 10 {
			t1 := time.Now()
			tr.Layout(b)
			layout = append(layout, ms(time.Since(t1)))
		}
		rss = append(rss, vmRSS(cmd.Process.Pid))
		cmd.Process.Kill()
		cmd.Wait()
	}
	b.ReportMetric(median(publish), "ms/publish")
	b.ReportMetric(median(layout), "ms/GetLayout")
	b.ReportMetric(float64(items), "items")
	b.ReportMetric(median(rss), "MiB/VmRSS")
	b.ReportMetric(0, "ns/op") // a start is not an op worth timing
}

// writeProfiles writes home's AWS files with n profiles: n static ones
// up to 100, and for n = 1000 900 more of sso-session corp written by
// engine.SyncSSO from the fake portal (300 accounts, 3 roles each), as
// awsxc-cli sso sync would.
func writeProfiles(b *testing.B, home string, n int) int {
	fakes := fakeaws.StartAll()
	b.Cleanup(fakes.Close)
	accounts := fakeaws.GenerateAccounts(300, 3)
	fakes.STS.Portal().SetAccounts(accounts)
	var config, creds strings.Builder
	for i := range min(n, 100) {
		fmt.Fprintf(&config, "[profile hand-%03d]\nregion = eu-west-1\n\n", i)
		fmt.Fprintf(&creds, "[hand-%03d]\naws_access_key_id = AKIA%016d\naws_secret_access_key = s\n", i, i)
	}
	config.WriteString(strings.ReplaceAll(ssoSessionConfig, "my-sso", "corp"))
	env := engine.Env{ConfigFile: filepath.Join(home, ".aws", "config"), CredentialsFile: filepath.Join(home, ".aws", "credentials"),
		Home: home, CacheDir: filepath.Join(home, ".cache")}
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	os.WriteFile(env.ConfigFile, []byte(config.String()), 0o600)
	os.WriteFile(env.CredentialsFile, []byte(creds.String()), 0o600)
	if n <= 100 {
		l, _ := engine.ListProfiles(env)
		return len(l.Profiles)
	}
	tray.SSOSignIn(b, fakes.OIDC, home, "corp")
	b.Setenv("AWS_PROFILE", "")
	b.Setenv("AWS_ENDPOINT_URL_SSO", fakes.STS.URL)
	b.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", fakes.OIDC.URL)
	if _, err := engine.SyncSSO(context.Background(), engine.SSOSyncOptions{Env: env, Session: "corp", LockDir: b.TempDir()}); err != nil {
		b.Fatal(err)
	}
	l, err := engine.ListProfiles(env)
	if err != nil {
		b.Fatal(err)
	}
	return len(l.Profiles)
}

// profileLeaves counts the visible items that choose a profile in the
// Profiles submenu's tree (its submenus' checkmark items).
func profileLeaves(p snitest.Item) int {
	n := 0
	for _, c := range p.Shown() {
		if len(c.Children) > 0 {
			n += profileLeaves(c)
		} else if v, ok := c.Props["toggle-type"]; ok && v.Value() == "checkmark" {
			n++
		}
	}
	return n
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	return s[len(s)/2]
}

// vmRSS is the resident memory of process pid, in MiB.
func vmRSS(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}
