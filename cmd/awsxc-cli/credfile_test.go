package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCredentialsFileWarningsAndRefusals: a write that succeeds with a
// warning prints it on stderr, one line (issue 10 item 23); a write the
// Go SDK would not read back fails with one line and exit 1, and leaves
// the file alone (item 21).
func TestCredentialsFileWarningsAndRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct {
		name, profile, in string
		code              int
		stderr            string // the whole of it
		unchanged         bool
	}{
		{
			name: "duplicate_sections", profile: "dup", in: "[dup]\nregion = x\n\n[dup]\noutput = json\n",
			stderr: "awsxc-cli: warning: credentials file has [dup] twice; the AWS CLI refuses such a file\n",
		},
		{
			name: "padded_header", profile: "pad", in: "[ pad ]\nregion = x\n",
			stderr: "awsxc-cli: warning: credentials file line 1, \"[ pad ]\", is a header of profile \"pad\" to the Go SDK but not to the AWS CLI\n",
		},
		{
			name: "bom_before_header", profile: "bom", in: "\ufeff[bom]\naws_access_key_id = ASIAOLD\naws_session_token = old\n",
			code: 1, unchanged: true,
			stderr: "byte order mark at the start of the file hides [bom] from it; the file is unchanged\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(f.home, tc.name+".credentials")
			if err := os.WriteFile(path, []byte(tc.in), 0o600); err != nil {
				t.Fatal(err)
			}
			r := f.run(t, "", []string{"AWS_SHARED_CREDENTIALS_FILE=" + path}, "--profile", "proc", "-c", tc.profile)
			if r.code != tc.code || r.stdout != "" || !strings.HasSuffix(r.stderr, tc.stderr) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and stderr ending %q", r.code, r.stdout, r.stderr, tc.code, tc.stderr)
			}
			got, _ := os.ReadFile(path)
			if tc.unchanged != (string(got) == tc.in) {
				t.Errorf("file after the run: %q", got)
			}
		})
	}
}

// TestCacheNotTrusted is issue 10 item 8 through the CLI: a cache that
// another user could have written is a miss that --debug explains, never
// a failure, and a cache file of one's own left world-readable is
// narrowed to 0600 and used again.
func TestCacheNotTrusted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	open := filepath.Join(f.home, "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	r := f.run(t, "", nil, "--profile", "proc", "--json", "--debug", "--cache-file", filepath.Join(open, "c.json"))
	if r.code != 0 || !strings.Contains(r.stdout, "ASIAPROCEXAMPLE") || !strings.Contains(r.stderr, "is writable by others (mode 0777)") {
		t.Errorf("cache in a world-writable folder: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if ents, _ := os.ReadDir(open); len(ents) != 0 {
		t.Errorf("cache written into a world-writable folder: %v", ents)
	}

	cache := filepath.Join(f.home, "private", "c.json")
	if r := f.run(t, "", nil, "--profile", "proc", "--json", "--cache-file", cache); r.code != 0 {
		t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
	}
	if err := os.Chmod(cache, 0o644); err != nil {
		t.Fatal(err)
	}
	r = f.run(t, "", nil, "--profile", "proc", "--json", "--debug", "--cache-file", cache)
	if r.code != 0 || !strings.Contains(r.stderr, "cache miss") || !strings.Contains(r.stderr, "has mode 0644, open to other users") {
		t.Errorf("world-readable cache: exit %d, stderr %q", r.code, r.stderr)
	}
	if fi, err := os.Stat(cache); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("cache mode after the miss: %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if r := f.run(t, "", nil, "--profile", "proc", "--json", "--debug", "--cache-file", cache); !strings.Contains(r.stderr, "cache hit") {
		t.Errorf("after the rewrite: stderr %q, want a hit", r.stderr)
	}
}
