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
