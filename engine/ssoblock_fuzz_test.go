package engine

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSyncBlock runs a sync on arbitrary config files. A sync either
// refuses (only ever for a file that holds a marker-like comment) or
// keeps the contract checkSync checks: bytes outside the block unchanged,
// configparser's reading of the rest unchanged and of the block exactly
// as written, the scanner's reading of the block as written, a second
// sync a no-op; and the Go SDK reads every profile back unless the file
// holds what it is known to misread (a byte order mark, a lone CR) or it
// cannot find the sso-session's section (which a real sync requires).
func FuzzSyncBlock(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "ssosync", "*.in"))
	goldens, _ := filepath.Glob(filepath.Join("testdata", "ssosync", "*.golden"))
	for _, p := range append(seeds, goldens...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, uint8(0))
			f.Add(b, uint8(1))
		}
	}
	f.Add([]byte("[profile x]\nregion = a\n  continued\n# BEGIN awsxc sso sync: my-sso\n# END awsxc sso sync: my-sso, checksum 00\n"), uint8(0))
	f.Add([]byte("\xef\xbb\xbf"), uint8(0))
	f.Add([]byte("[profile a]\r\nk = v"), uint8(2))
	tmpl, _ := ParseSSOTemplate(DefaultSSOTemplate)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, pick uint8) {
		session := "my-sso"
		if pick&1 == 1 {
			session = "other"
		}
		roles := sortedRoles(rolesA[:2+int(pick>>1)%4])
		p, err := planSync(data, nil, session, roles, "eu-west-1", tmpl)
		if err != nil {
			if !bytes.Contains(bytes.ToLower(data), []byte("awsxc")) {
				t.Fatalf("a file with no marker was refused: %v\n%q", err, data)
			}
			return
		}
		checkSync(t, data, nil, p, session, tmpl, "eu-west-1")
		if goSDKCrashLine(data) > 0 {
			return // SyncSSO refuses such a file before the SDK sees it
		}
		// Every profile from the whole file, which the sync itself reads
		// for a few only (see syncReadBack): this checks why that is
		// enough.
		if err := fullReadBack(dir, p.out, session, p.profiles); err != nil {
			// The Go SDK must find the sso-session's section, which a real
			// sync has checked first; a file whose section it cannot find
			// is refused, which is safe.
			f := scanINI(p.out)
			if f.bom > 0 || strings.Contains(strings.ReplaceAll(string(p.out), "\r\n", ""), "\r") ||
				strings.Contains(err.Error(), "failed to find SSO session section") {
				return
			}
			t.Fatalf("the Go SDK does not read the sync back: %v\nin:  %q\nout: %q", err, data, p.out)
		}
	})
}

// fullReadBack has the Go SDK read every profile of ps from the whole of
// data.
func fullReadBack(dir string, data []byte, session string, ps []SyncedProfile) error {
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if q, why := readBackAll(tmp, session, ps); why != "" {
		return fmt.Errorf("it reads profile %q %s", q.Name, why)
	}
	return nil
}
