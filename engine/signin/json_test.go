package signin

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// needTool skips locally and fails under CI=true.
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

// TestPyDumpsMatchesPython writes objects with pyDumps and with Python's
// own json.dumps (what the AWS CLI uses), and compares the bytes.
func TestPyDumpsMatchesPython(t *testing.T) {
	t.Parallel()
	_, err := os.Stat("/usr/bin/python3")
	needTool(t, err == nil, "/usr/bin/python3 is not installed")
	strs := []string{"", "plain", `quote " and \ backslash`, "tab\tnl\ncr\rbs\bff\f", "\x00\x01\x1f\x7f",
		"é ü ß", "日本語", "emoji 😀 𝄞", "<script>&amp;</script>", "\u2028\u2029", "https://d-1.awsapps.com/start#x?y=1"}
	var objs []object
	for _, s := range strs {
		objs = append(objs, object{{"k", s}, {s, []string{s, "b"}}, {"n", nil}, {"t", time.Date(2026, 5, 1, 18, 5, 0, 0, time.UTC)},
			{"nested", object{{"z", "1"}, {"a", json.Number("42")}, {"b", true}, {"c", []any{"x", json.Number("1.5"), false}}}}})
	}
	// Python gets the same objects as compact JSON from encoding/json
	// (times as strings), keeps their order, and dumps them.
	var in bytes.Buffer
	for _, o := range objs {
		in.Write(goJSON(o))
		in.WriteByte('\n')
	}
	cmd := exec.Command("/usr/bin/python3", "-c", `
import json, sys
for line in sys.stdin:
    print(json.dumps(json.loads(line)))
`)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(objs) {
		t.Fatalf("python printed %d lines for %d objects", len(lines), len(objs))
	}
	for i, o := range objs {
		if diff := cmp.Diff(lines[i], string(pyDumps(o))); diff != "" {
			t.Errorf("object %d (-python +pyDumps):\n%s", i, diff)
		}
	}
}

// goJSON encodes an object with encoding/json, keeping member order.
func goJSON(v any) []byte {
	switch t := v.(type) {
	case object:
		var b bytes.Buffer
		b.WriteByte('{')
		for i, m := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(m.Key)
			b.Write(k)
			b.WriteByte(':')
			b.Write(goJSON(m.Value))
		}
		b.WriteByte('}')
		return b.Bytes()
	case []any:
		var b bytes.Buffer
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(goJSON(e))
		}
		b.WriteByte(']')
		return b.Bytes()
	case time.Time:
		return goJSON(t.UTC().Format(cacheTimeFormat))
	}
	b, _ := json.Marshal(v)
	return b
}

// TestRegistrationKeyMatchesPython: the registration cache file is named
// by the sha1 of Python's json.dumps(..., sort_keys=True) of its key.
func TestRegistrationKeyMatchesPython(t *testing.T) {
	t.Parallel()
	_, err := os.Stat("/usr/bin/python3")
	needTool(t, err == nil, "/usr/bin/python3 is not installed")
	c := Config{}
	c.Env.Home = "/h"
	for _, s := range []Session{
		{Kind: KindSSOSession, Name: "my-sso", StartURL: "https://d-1.awsapps.com/start", Region: "eu-west-1", Scopes: []string{"sso:account:access"}},
		{Kind: KindSSOSession, Name: "sans scopes", StartURL: "https://d-1.awsapps.com/start/", Region: "us-east-1"},
		{Kind: KindSSOSession, Name: "ünïcode", StartURL: "https://x.example/ä", Region: "eu-west-1", Scopes: []string{}},
		{Kind: KindSSOLegacy, Name: "https://d-1.awsapps.com/start", StartURL: "https://d-1.awsapps.com/start", Region: "eu-west-1"},
	} {
		var scopes, name any = s.Scopes, s.Name
		if s.Kind == KindSSOLegacy {
			name = nil
		}
		args, _ := json.Marshal(map[string]any{"tool": "botocore", "startUrl": s.StartURL, "region": s.Region, "scopes": scopes, "session_name": name})
		cmd := exec.Command("/usr/bin/python3", "-c", `
import hashlib, json, sys
args = json.loads(sys.argv[1])
print(hashlib.sha1(json.dumps(args, sort_keys=True).encode('utf-8')).hexdigest())
`, string(args))
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		path, _ := c.registrationPath(s)
		if want := "/h/.aws/sso/cache/" + strings.TrimSpace(string(out)) + ".json"; path != want {
			t.Errorf("%+v: %s, want %s", s, path, want)
		}
	}
}

func FuzzParseObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a": "b", "c": [1, 2, {"d": null}]}`, `{"accessToken": "x", "expiresAt": "2026-01-01T00:00:00Z"}`,
		`[1]`, `{"a":1}{"b":2}`, `{"a": "\ud800"}`, `{"a": 1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := parseObject(data)
		if err != nil {
			return
		}
		// What pyDumps writes is JSON, and reads back the same.
		out := pyDumps(o)
		if !json.Valid(out) {
			t.Fatalf("pyDumps wrote invalid JSON %q from %q", out, data)
		}
		if !utf8.Valid(out) || bytes.ContainsFunc(out, func(r rune) bool { return r > 0x7e || r < 0x20 }) {
			t.Fatalf("pyDumps wrote non-ASCII %q", out)
		}
		o2, err := parseObject(out)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if !bytes.Equal(pyDumps(o2), out) {
			t.Fatalf("not stable: %q then %q", out, pyDumps(o2))
		}
	})
}

func FuzzParseCacheTime(f *testing.F) {
	for _, s := range []string{"2026-05-01T18:05:00Z", "2026-05-01T18:05:00.123456789+02:00", "2020-06-17T10:18:08UTC",
		"2026-05-01T18:05:00", "not a time", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseCacheTime(s)
		if err != nil {
			if len(err.Error()) > 80 {
				t.Fatalf("long error %q", err)
			}
			return
		}
		if tm.Location() != time.UTC {
			t.Fatalf("%q: not UTC", s)
		}
		// The form awsxc writes reads back to the same second.
		w := tm.Format(cacheTimeFormat)
		if back, err := parseCacheTime(w); tm.Year() >= 0 && tm.Year() <= 9999 && (err != nil || !back.Equal(tm.Truncate(time.Second))) {
			t.Fatalf("%q → %q → %v %v", s, w, back, err)
		}
	})
}

func TestParseCacheTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 5, 1, 18, 5, 0, 0, time.UTC)
	for _, s := range []string{"2026-05-01T18:05:00Z", "2026-05-01T20:05:00+02:00", "2026-05-01T18:05:00UTC", "2026-05-01T18:05:00", " 2026-05-01T18:05:00Z "} {
		if got, err := parseCacheTime(s); err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v", s, got, err)
		}
	}
}

// TestPKCE checks the S256 transform against botocore's own
// (urlsafe_b64encode(sha256(verifier)) with its one '=' trimmed) and the
// verifiers' syntax.
func TestPKCE(t *testing.T) {
	t.Parallel()
	_, err := os.Stat("/usr/bin/python3")
	needTool(t, err == nil, "/usr/bin/python3 is not installed")
	v := newVerifier()
	out, err := exec.Command("/usr/bin/python3", "-c", `
import base64, hashlib, sys
print(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).decode()[:-1])
`, v).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := challengeS256(v), strings.TrimSpace(string(out)); got != want {
		t.Errorf("challenge %s, botocore's %s", got, want)
	}
	seen := map[string]bool{}
	for range 100 {
		v := newVerifier()
		if len(v) != 64 || strings.Trim(v, verifierAlphabet) != "" || seen[v] {
			t.Fatalf("verifier %q", v)
		}
		seen[v] = true
	}
	if u := newUUID(); len(u) != 36 || u[14] != '4' || !strings.ContainsRune("89ab", rune(u[19])) {
		t.Errorf("uuid %s", u)
	}
	if got := pctEncode([][2]string{{"a b", "x:y/z~._-"}, {"é", "+&="}}); got != "a%20b=x%3Ay%2Fz~._-&%C3%A9=%2B%26%3D" {
		t.Errorf("pctEncode %s", got)
	}
}
