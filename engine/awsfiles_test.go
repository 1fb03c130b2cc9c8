package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/fsutil"
)

const filesConfig = `[profile cfgkeys]
aws_access_key_id = AKIACONFIGKEYS000001
aws_secret_access_key = secretCONFIG
`

const filesCreds = `[credkeys]
aws_access_key_id = AKIACREDSKEYS0000002
aws_secret_access_key = secretCREDS
`

// withinDeadline runs f and fails the test when it has not returned
// after d: a read of a FIFO or of /dev/zero never would.
func withinDeadline(t *testing.T, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still running after %s", d)
		return nil
	}
}

// TestIssue10Item9Files: a config or credentials file that is not a
// regular file, or is larger than MaxAWSFileSize, is refused with one
// clear line before the SDK opens it (the SDK would block forever on a
// FIFO and read /dev/zero until memory runs out); /dev/null is an empty
// file, as CI setups use it.
func TestIssue10Item9Files(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte("[profile x]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxAWSFileSize+1); err != nil { // sparse: nothing is written
		t.Fatal(err)
	}
	creds := filepath.Join(dir, "credentials")
	config := filepath.Join(dir, "config")
	os.WriteFile(creds, []byte(filesCreds), 0o600)
	os.WriteFile(config, []byte(filesConfig), 0o600)
	cases := []struct {
		name, config, creds string
		err                 error
		want                string
	}{
		{name: "too_large", config: big, creds: creds, err: fsutil.ErrTooLarge,
			want: `profile "credkeys": invalid configuration: config file: ` + big + `: file too large (16 MiB, the limit is 16 MiB)`},
		{name: "dev_null_config", config: os.DevNull, creds: creds},
		{name: "dev_null_credentials", config: config, creds: os.DevNull, want: `profile "credkeys": profile not found`},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, struct {
			name, config, creds string
			err                 error
			want                string
		}{name: "dev_zero", config: "/dev/zero", creds: creds, err: fsutil.ErrNotRegular,
			want: `profile "credkeys": invalid configuration: config file: /dev/zero: not a regular file (a character device)`})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := Env{ConfigFile: tc.config, CredentialsFile: tc.creds}
			err := withinDeadline(t, 20*time.Second, func() error {
				_, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: "credkeys"})
				return err
			})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("err = %v, want the profile's keys", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("err = %v\nwant %q", err, tc.want)
			case tc.err != nil && !errors.Is(err, tc.err):
				t.Fatalf("err = %v, want it to wrap %v", err, tc.err)
			}
			if tc.err != nil {
				if _, err := ListProfiles(env); !errors.Is(err, tc.err) {
					t.Errorf("ListProfiles: %v, want %v", err, tc.err)
				}
			}
		})
	}
}

// TestIssue10Item16Folder: a config or credentials path that is a folder
// is read as empty, with a warning naming it, as the AWS CLI does; the
// other file still counts (the Go SDK alone fails on the folder). The
// same files are read with botocore.
func TestIssue10Item16Folder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	folder := filepath.Join(dir, "folder")
	os.Mkdir(folder, 0o700)
	creds := filepath.Join(dir, "credentials")
	config := filepath.Join(dir, "config")
	os.WriteFile(creds, []byte(filesCreds), 0o600)
	os.WriteFile(config, []byte(filesConfig), 0o600)
	cases := []struct {
		name, config, creds, profile, key string
		warning                           FileWarning
	}{
		{"credentials_folder", config, folder, "cfgkeys", "AKIACONFIGKEYS000001",
			FileWarning{folder, "credentials file " + folder + " is a folder; reading it as empty, as the AWS CLI does"}},
		{"config_folder", folder, creds, "credkeys", "AKIACREDSKEYS0000002",
			FileWarning{folder, "config file " + folder + " is a folder; reading it as empty, as the AWS CLI does"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := Env{ConfigFile: tc.config, CredentialsFile: tc.creds}
			r, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: tc.profile})
			if err != nil {
				t.Fatal(err)
			}
			if r.Credentials.AccessKeyID != tc.key {
				t.Errorf("key %s, want %s", r.Credentials.AccessKeyID, tc.key)
			}
			if diff := cmp.Diff([]FileWarning{tc.warning}, r.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			l, err := ListProfiles(env)
			if err != nil || len(l.Profiles) != 1 || l.Profiles[0].Name != tc.profile {
				t.Errorf("ListProfiles: %+v, %v; want %s alone", l, err, tc.profile)
			}
		})
	}
	t.Run("botocore", func(t *testing.T) {
		botocoreAvailable(t)
		var jobs []botocoreJob
		for _, tc := range cases {
			jobs = append(jobs, botocoreJob{Creds: tc.creds, Config: tc.config, Profile: tc.profile})
		}
		for i, r := range botocoreRead(t, jobs) {
			if r.Key != cases[i].key {
				t.Errorf("%s: botocore gives %+v, want %s as awsxc does", cases[i].name, r, cases[i].key)
			}
		}
	})
}

// TestIssue10Item16Expansion: AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE are expanded as botocore expands them
// (os.path.expanduser(os.path.expandvars(path)), botocore/configloader.py):
// the same inputs are given to Python's functions.
func TestIssue10Item16Expansion(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("Python's ntpath rules differ; the posix ones are compared")
	}
	home := t.TempDir()
	vars := map[string]string{"HOME": home, "AWSDIR": "/srv/aws", "EMPTY": ""}
	inputs := []string{
		"~/.aws/myconfig", "$HOME/.aws/myconfig", "${HOME}/.aws/myconfig", "$AWSDIR/config", "${AWSDIR}x/config",
		"$UNSET/config", "${UNSET}/config", "/abs/$", "/abs/${unterminated", "~root/config", "~nosuchuser12345/config",
		"/a/$AWSDIR$AWSDIR", "$EMPTY/config", "/x/~/config",
	}
	var got []string
	for _, in := range inputs {
		e := NewEnv(func(k string) string {
			if k == "AWS_CONFIG_FILE" {
				return in
			}
			return vars[k]
		}, "")
		got = append(got, e.ConfigFile)
	}
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("/usr/bin/python3 is missing")
		}
		t.Skip("/usr/bin/python3 is missing")
	}
	cmd := exec.Command("/usr/bin/python3", "-c", `import json, os, sys
print(json.dumps([os.path.expanduser(os.path.expandvars(p)) for p in json.load(sys.stdin)]))`)
	in, _ := json.Marshal(inputs)
	cmd.Stdin = strings.NewReader(string(in))
	cmd.Env = []string{"HOME=" + home, "AWSDIR=/srv/aws"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	// Python expands $EMPTY (set, empty); awsxc's getenv cannot tell it
	// from unset and keeps it.
	for i, in := range inputs {
		if in == "$EMPTY/config" {
			want[i] = in
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("awsxc vs Python's expandvars + expanduser (-python +awsxc):\n%s", diff)
	}
}
