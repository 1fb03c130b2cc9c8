package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/internal/exectest"
	"github.com/awsxc/awsxc/internal/fsutil"
)

var (
	testTemp = Credentials{
		AccessKeyID:     "ASIANEWEXAMPLE",
		SecretAccessKey: "new/secret+key",
		SessionToken:    "newtoken==",
		Expires:         time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	testStatic  = Credentials{AccessKeyID: "AKIANEWEXAMPLE", SecretAccessKey: "newstaticsecret"}
	testAccount = Credentials{
		AccessKeyID:     "ASIANEWEXAMPLE",
		SecretAccessKey: "new/secret+key",
		SessionToken:    "newtoken==",
		Expires:         time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC),
		AccountID:       "123456789012",
	}
)

// credfileCases are the messy real-world files under testdata/credfile:
// NAME.in is the file before writing profile "tgt", NAME.golden what the
// editor makes of it. botocore says whether botocore reads the profile
// from the result (it refuses some files whatever we do); refused names
// the cases the Go SDK would misread, where the write fails with
// ErrNotReadBack, saying why, and the file stays NAME.in; warn lists the
// warnings a write returns.
var credfileCases = []struct {
	name     string
	profile  string
	creds    Credentials
	force    bool
	botocore bool          // botocore reads the profile from the result
	refused  string        // the write fails with ErrNotReadBack, saying this
	warn     []WarningKind // the warnings of a successful write
}{
	{name: "empty", creds: testTemp, botocore: true},
	{name: "append_new_section", creds: testTemp, botocore: true},
	{name: "update_in_place", creds: testTemp, botocore: true},
	{name: "crlf_update", creds: testTemp, botocore: true},
	{name: "crlf_append", creds: testTemp, botocore: true},
	{name: "comments_with_equals", creds: testTemp, botocore: true},
	{name: "indented_keys_and_header", creds: testTemp, botocore: true},
	{name: "indented_header_no_keys", creds: testTemp, botocore: true},
	// Indented after "s3 =", the Go SDK would read the keys into s3's
	// nested map (found by fuzzing): they go in unindented.
	{name: "indented_after_empty_value", creds: testTemp, botocore: true},
	// "  [tgt]" continues a value for botocore; the Go SDK reads it as a
	// header, and the appended [tgt] wins.
	{name: "indented_header_is_continuation", creds: testTemp, botocore: true, warn: []WarningKind{WarnAliasSection}},
	// Issue 10 item 20: "[ tgt ]" is botocore's profile " tgt ", never
	// touched; [tgt] is appended, and the Go SDK merges the two.
	{name: "padded_header", creds: testTemp, botocore: true, warn: []WarningKind{WarnAliasSection}},
	{name: "padded_and_exact", creds: testTemp, botocore: true, warn: []WarningKind{WarnAliasSection}},
	{name: "padded_after_exact_no_keys", creds: testTemp, botocore: true, warn: []WarningKind{WarnAliasSection}},
	// A later "[ tgt ]" with keys overrides ours in the Go SDK.
	{name: "padded_after_exact", creds: testTemp, refused: `reads another aws_access_key_id): it reads line 5, "[ tgt ]", as a header of the profile too`},
	// The Go SDK would merge the old token of "[ tgt ]" into static keys.
	{name: "padded_token_under_static", creds: testStatic, refused: `reads an aws_session_token not written): it reads line 1, "[ tgt ]", as a header of the profile too`},
	{name: "duplicate_keys", creds: testTemp, botocore: true},
	// Issue 10 item 23: configparser's strict mode refuses the file.
	{name: "duplicate_sections", creds: testTemp, warn: []WarningKind{WarnDuplicateSection}},
	{name: "duplicate_sections_three", creds: testTemp, warn: []WarningKind{WarnDuplicateSection}},
	{name: "no_final_newline_target_last", creds: testTemp, botocore: true},
	{name: "no_final_newline_append", creds: testTemp, botocore: true},
	{name: "no_final_newline_insert", creds: testTemp, botocore: true},
	// Issue 10 item 21: no SDK reads a header right after a byte order
	// mark (botocore reads no file that has one).
	{name: "utf8_bom", creds: testTemp, refused: "finds no such profile): the byte order mark at the start of the file hides [tgt] from it"},
	{name: "utf8_bom_comment_first", creds: testTemp, warn: []WarningKind{WarnByteOrderMark}},
	{name: "utf8_bom_append", creds: testTemp, warn: []WarningKind{WarnByteOrderMark}},
	{name: "utf8_bom_only", creds: testTemp, warn: []WarningKind{WarnByteOrderMark}},
	{name: "tabs", creds: testTemp, botocore: true},
	{name: "colon_separators", creds: testTemp, botocore: true},
	{name: "continuation_lines", creds: testTemp, botocore: true},
	{name: "static_over_session", creds: testStatic, botocore: true},
	{name: "insert_after_last_option", creds: testTemp, botocore: true},
	{name: "legacy_security_token", creds: testTemp, botocore: true},
	{name: "long_term_forced", creds: testTemp, force: true, botocore: true},
	{name: "empty_value", creds: testTemp, botocore: true},
	// The Go SDK splits lines at \n only.
	{name: "lone_cr", creds: testTemp, refused: "finds no such profile): it does not take a lone carriage return for a line break"},
	// The Go SDK reads no header with text after its ']'.
	{name: "header_trailing_text", creds: testTemp, refused: "finds no such profile): it does not read line 1 as the header of [tgt]"},
	{name: "header_unread_after_target", creds: testTemp, refused: `reads another aws_session_token): it does not read line 5, "[other] x", as a header`},
	{name: "name_with_space", profile: "my prof", creds: testTemp, botocore: true},
	{name: "default_section_untouched", creds: testTemp, botocore: true},
	// The account id the SDK reported goes in as aws_account_id; one of
	// another identity comes out when the new credentials have none.
	{name: "account_id_written", creds: testAccount, botocore: true},
	{name: "account_id_of_other_identity_removed", creds: testTemp, botocore: true},
}

func credfileProfile(p string) string {
	if p == "" {
		return "tgt"
	}
	return p
}

// writeCase runs one golden case on a copy of its input in dir and returns
// the path written, the input, and what the write returned.
func writeCase(t *testing.T, dir, name, profile string, c Credentials, force bool) (string, []byte, WriteResult, error) {
	t.Helper()
	in, err := os.ReadFile(filepath.Join("testdata", "credfile", name+".in"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "credentials")
	if err := os.WriteFile(path, in, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := WriteCredentialsProfile(path, profile, c, WriteOptions{Force: force, LockDir: t.TempDir()})
	return path, in, res, err
}

func TestWriteCredentialsProfileGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range credfileCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			profile := credfileProfile(tc.profile)
			path, in, res, werr := writeCase(t, t.TempDir(), tc.name, profile, tc.creds, tc.force)
			kv, _ := credentialLines(tc.creds)
			edited, warnings, err := editCredentials(in, profile, kv, tc.force)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("credfile", tc.name+".golden"), edited)
			checkWrite(t, in, edited, profile, kv)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.refused != "" {
				if !errors.Is(werr, ErrNotReadBack) || !strings.Contains(werr.Error(), tc.refused) {
					t.Fatalf("err = %v, want ErrNotReadBack saying %q", werr, tc.refused)
				}
				if !bytes.Equal(got, in) {
					t.Errorf("refused write changed the file: %q", got)
				}
				assertNoTemp(t, filepath.Dir(path))
				return
			}
			if werr != nil {
				t.Fatalf("WriteCredentialsProfile: %v", werr)
			}
			if !bytes.Equal(got, edited) {
				t.Errorf("file written differs from the edit:\nfile: %q\nedit: %q", got, edited)
			}
			var kinds []WarningKind
			for _, w := range res.Warnings {
				kinds = append(kinds, w.Kind)
				if s := w.String(); strings.ContainsFunc(s, isControl) || strings.Contains(s, "warning ") {
					t.Errorf("warning %q is not one worded line", s)
				}
			}
			if diff := cmp.Diff(tc.warn, kinds); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\n%q", diff, res.Warnings)
			}
			if diff := cmp.Diff(warnings, res.Warnings); diff != "" {
				t.Errorf("editCredentials and WriteCredentialsProfile warn differently (-edit +write):\n%s", diff)
			}
			if real, _ := filepath.EvalSymlinks(path); res.Path != real {
				t.Errorf("WriteResult.Path = %q, want %q", res.Path, real)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("mode after write = %v, %v; want 0600", fi.Mode(), err)
			}
		})
	}
}

// botocoreAvailable says whether Debian's python3 with python3-botocore is
// there. Missing, the test is skipped locally and fails under CI.
func botocoreAvailable(t *testing.T) {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import botocore.session").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("/usr/bin/python3 cannot import botocore (apt install python3-botocore): %v", err)
		}
		t.Skipf("/usr/bin/python3 cannot import botocore (apt install python3-botocore): %v", err)
	}
}

// botocoreRead reads each job's profile with botocore in one python run.
type botocoreJob struct {
	Creds, Config, Profile string
}

type botocoreResult struct {
	Key, Secret, Token, Error string
}

const botocoreScript = `
import json, os, sys
import botocore.session
out = []
for j in json.load(sys.stdin):
    os.environ['AWS_SHARED_CREDENTIALS_FILE'] = j['Creds']
    os.environ['AWS_CONFIG_FILE'] = j['Config']
    try:
        c = botocore.session.Session(profile=j['Profile']).get_credentials()
        if c is None:
            out.append({'Error': 'no credentials'})
            continue
        f = c.get_frozen_credentials()
        out.append({'Key': f.access_key, 'Secret': f.secret_key, 'Token': f.token or ''})
    except Exception as e:
        out.append({'Error': type(e).__name__ + ': ' + str(e)})
print(json.dumps(out))
`

func botocoreRead(t *testing.T, jobs []botocoreJob) []botocoreResult {
	t.Helper()
	in, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/usr/bin/python3", "-c", botocoreScript)
	cmd.Stdin = strings.NewReader(string(in))
	cmd.Env = []string{"HOME=" + t.TempDir(), "AWS_EC2_METADATA_DISABLED=true", "PATH=/usr/bin:/bin"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var res []botocoreResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("python3 output %q: %v", out, err)
	}
	return res
}

// TestWriteCredentialsProfileReadBack reads every golden result back with
// the Go SDK and with botocore. It sets environment variables, so it does
// not run in parallel.
func TestWriteCredentialsProfileReadBack(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)

	var jobs []botocoreJob
	var wants []Credentials
	var names []string
	var refuses []bool // botocore must refuse the file, as a warning says
	for _, tc := range credfileCases {
		if tc.refused != "" {
			continue // the file is unchanged
		}
		profile := credfileProfile(tc.profile)
		path, _, _, err := writeCase(t, t.TempDir(), tc.name, profile, tc.creds, tc.force)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Run("gosdk_"+tc.name, func(t *testing.T) {
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", path)
			c, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile(profile), config.WithRegion("us-east-1"))
			if err != nil {
				t.Fatalf("Go SDK cannot load profile %q: %v", profile, err)
			}
			ac, err := c.Credentials.Retrieve(context.Background())
			if err != nil {
				t.Fatalf("Go SDK cannot read profile %q: %v", profile, err)
			}
			got := Credentials{AccessKeyID: ac.AccessKeyID, SecretAccessKey: ac.SecretAccessKey, SessionToken: ac.SessionToken, AccountID: ac.AccountID}
			want := tc.creds
			want.Expires = time.Time{}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Go SDK read (-want +got):\n%s", diff)
			}
		})
		refuse := slices.Contains(tc.warn, WarnDuplicateSection) || slices.Contains(tc.warn, WarnByteOrderMark)
		if tc.botocore || refuse {
			jobs = append(jobs, botocoreJob{Creds: path, Config: cfg, Profile: profile})
			wants = append(wants, tc.creds)
			names = append(names, tc.name)
			refuses = append(refuses, refuse)
		}
	}
	t.Run("botocore", func(t *testing.T) {
		botocoreAvailable(t)
		for i, r := range botocoreRead(t, jobs) {
			if refuses[i] {
				if !strings.Contains(r.Error, "ConfigParseError") {
					t.Errorf("%s: botocore read %+v, want the ConfigParseError a warning promises", names[i], r)
				}
				continue
			}
			want := botocoreResult{Key: wants[i].AccessKeyID, Secret: wants[i].SecretAccessKey, Token: wants[i].SessionToken}
			if diff := cmp.Diff(want, r); diff != "" {
				t.Errorf("%s: botocore read (-want +got):\n%s", names[i], diff)
			}
		}
	})
}

func TestWriteCredentialsProfileRefusesLongTermKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		refuse   bool
	}{
		{"static_keys", "[tgt]\naws_access_key_id = AKIAREAL\naws_secret_access_key = real\n", true},
		{"static_keys_upper_case", "[tgt]\nAWS_ACCESS_KEY_ID: AKIAREAL\n", true},
		// "[ tgt ]" is another profile to botocore, never overwritten.
		{"static_keys_in_padded_copy", "[ tgt ]\naws_access_key_id = AKIAREAL\n", false},
		{"static_keys_in_second_copy", "[tgt]\nregion = x\n[tgt]\naws_access_key_id = AKIAREAL\n", true},
		{"session_keys", "[tgt]\naws_access_key_id = ASIAOLD\naws_session_token = t\n", false},
		{"legacy_security_token", "[tgt]\naws_access_key_id = ASIAOLD\naws_security_token = t\n", false},
		// An empty token is no token: the SDKs read these as long-term keys.
		{"empty_session_token", "[tgt]\naws_access_key_id = AKIAREAL\naws_session_token =\n", true},
		{"comment_only_session_token", "[tgt]\naws_access_key_id = AKIAREAL\naws_session_token = ;x\n", true},
		{"hash_session_token", "[tgt]\naws_access_key_id = AKIAREAL\naws_session_token = #\n", true},
		{"token_with_inner_hash", "[tgt]\naws_access_key_id = ASIAOLD\naws_session_token = a#b\n", false},
		{"key_in_continuation_only", "[tgt]\nnote = x\n  aws_access_key_id = AKIAREAL\n", false},
		{"key_in_comment", "[tgt]\n# aws_access_key_id = AKIAREAL\n", false},
		{"other_section", "[other]\naws_access_key_id = AKIAREAL\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "credentials")
			if err := os.WriteFile(path, []byte(tc.in), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := WriteCredentialsProfile(path, "tgt", testTemp, WriteOptions{LockDir: t.TempDir()})
			got, _ := os.ReadFile(path)
			if !tc.refuse {
				if err != nil {
					t.Fatalf("WriteCredentialsProfile: %v", err)
				}
				return
			}
			var e *Error
			if !errors.Is(err, ErrLongTermKeys) || !errors.As(err, &e) || e.Action != ActionForce || e.Profile != "tgt" {
				t.Fatalf("err = %#v, want an *Error for tgt of kind ErrLongTermKeys with ActionForce", err)
			}
			for _, s := range []string{`profile "tgt"`, path} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %s", err, s)
				}
			}
			if strings.Contains(err.Error(), "--") {
				t.Errorf("error %q names a command-line flag", err)
			}
			if strings.Contains(err.Error(), "AKIAREAL") {
				t.Errorf("error %q shows the key", err)
			}
			if string(got) != tc.in {
				t.Errorf("file changed after refusal: %q", got)
			}
			if _, err := WriteCredentialsProfile(path, "tgt", testTemp, WriteOptions{Force: true, LockDir: t.TempDir()}); err != nil {
				t.Fatalf("with Force: %v", err)
			}
		})
	}
}

func TestValidateProfileName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, profile string
		ok            bool
	}{
		{"plain", "dev", true},
		{"space_inside", "my prof", true},
		{"punctuation", "a=b:c/d.e@f", true},
		{"hash", "a#b", false},
		{"semicolon", "a;b", false},
		{"unicode", "développement", true},
		{"empty", "", false},
		{"open_bracket", "a[b", false},
		{"close_bracket", "a]b", false},
		{"newline", "a\nb", false},
		{"carriage_return", "a\rb", false},
		{"tab_inside", "a\tb", false},
		{"leading_space", " dev", false},
		{"trailing_space", "dev ", false},
		{"trailing_nbsp", "dev\u00a0", false},
		{"invalid_utf8", "dev\xff", false},
		{"configparser_default", "DEFAULT", false},
		// The Go SDK reads "[a  b]" as profile "a b".
		{"two_spaces", "a  b", false},
		{"two_spaces_later", "a b  c", true},
		// The Go SDK drops [profile x] from the credentials file.
		{"profile_prefix", "profile x", false},
		{"profile_word", "profile", true},
		{"profiles_word", "profiles x", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateProfileName(tc.profile)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidateProfileName(%q) = %v, want ok=%v", tc.profile, err, tc.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidProfileName) {
					t.Errorf("err = %v, want ErrInvalidProfileName", err)
				}
				if strings.ContainsAny(err.Error(), "\n\r") {
					t.Errorf("error is not one line: %q", err)
				}
				path := filepath.Join(t.TempDir(), "credentials")
				if _, werr := WriteCredentialsProfile(path, tc.profile, testTemp, WriteOptions{LockDir: t.TempDir()}); !errors.Is(werr, ErrInvalidProfileName) {
					t.Errorf("WriteCredentialsProfile err = %v", werr)
				}
				if _, serr := os.Stat(path); !errors.Is(serr, fs.ErrNotExist) {
					t.Errorf("file created for invalid name: %v", serr)
				}
			}
		})
	}
}

func TestWriteCredentialsProfileRejectsBadCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		c    Credentials
	}{
		{"no_key", Credentials{SecretAccessKey: "s"}},
		{"no_secret", Credentials{AccessKeyID: "AKIA"}},
		{"newline_in_token", Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t\n[evil]"}},
		{"space_around_secret", Credentials{AccessKeyID: "ASIA", SecretAccessKey: " s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "credentials")
			_, err := WriteCredentialsProfile(path, "tgt", tc.c, WriteOptions{LockDir: t.TempDir()})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "evil") {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

func TestWriteCredentialsProfileFiles(t *testing.T) {
	t.Parallel()
	t.Run("missing_folders_created_0700", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "a", "b", "credentials")
		if _, err := WriteCredentialsProfile(path, "tgt", testTemp, WriteOptions{LockDir: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
		for p, want := range map[string]fs.FileMode{path: 0o600, filepath.Dir(path): 0o700, filepath.Dir(filepath.Dir(path)): 0o700} {
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
				t.Errorf("%s: mode %v, %v; want %v", p, fi.Mode().Perm(), err, want)
			}
		}
		assertNoTemp(t, filepath.Dir(path))
	})
	t.Run("mode_narrowed", func(t *testing.T) {
		// A credentials file readable by others is narrowed to 0600:
		// awsxc adds fresh secrets to it (review 1, M2).
		t.Parallel()
		for _, mode := range []os.FileMode{0o644, 0o640, 0o600} {
			path := filepath.Join(t.TempDir(), "credentials")
			if err := os.WriteFile(path, []byte("[a]\nx = 1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			if _, err := WriteCredentialsProfile(path, "tgt", testTemp, WriteOptions{LockDir: t.TempDir()}); err != nil {
				t.Fatal(err)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
				t.Errorf("a %04o file: mode %v after the write, want 0600", mode, fi.Mode().Perm())
			}
		}
	})
	t.Run("symlink_written_through", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		real := filepath.Join(dir, "real")
		if err := os.WriteFile(real, []byte("[a]\nx = 1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "credentials")
		if err := os.Symlink(real, link); err != nil {
			t.Skip("no symlinks:", err)
		}
		if _, err := WriteCredentialsProfile(link, "tgt", testTemp, WriteOptions{LockDir: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("link replaced: %v %v", fi.Mode(), err)
		}
		if data, _ := os.ReadFile(real); !strings.Contains(string(data), "[tgt]") {
			t.Errorf("target not written: %q", data)
		}
	})
	t.Run("no_path", func(t *testing.T) {
		t.Parallel()
		// An Env with no home folder knows no credentials file.
		if _, err := WriteCredentialsProfile("", "tgt", testTemp, WriteOptions{LockDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no credentials file") {
			t.Errorf("err = %v, want no credentials file", err)
		}
	})
}

// TestWriteCredentialsProfileLockFile is issue 10 item 34: the lock
// file stays out of the user's AWS folder, and writers that name the
// file differently (through a symlink, a relative path) share one lock.
func TestWriteCredentialsProfileLockFile(t *testing.T) {
	t.Parallel()
	dir, lockDir := t.TempDir(), t.TempDir()
	aws := filepath.Join(dir, ".aws")
	path := filepath.Join(aws, "credentials")
	if err := os.MkdirAll(filepath.Join(dir, "dotfiles"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("dotfiles", "aws"), aws); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "dotfiles", "aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	names := []string{path, filepath.Join(dir, "dotfiles", "aws", "credentials"), filepath.Join(dir, "dotfiles", "..", ".aws", "credentials")}
	for i, p := range names {
		if _, err := WriteCredentialsProfile(p, fmt.Sprintf("p%d", i), testTemp, WriteOptions{LockDir: lockDir}); err != nil {
			t.Fatal(err)
		}
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "dotfiles", "aws"))
	if len(ents) != 1 || ents[0].Name() != "credentials" {
		t.Errorf("AWS folder holds %v, want only the credentials file", ents)
	}
	locks, _ := os.ReadDir(lockDir)
	if len(locks) != 1 || !strings.HasPrefix(locks[0].Name(), "credentials-") || !strings.HasSuffix(locks[0].Name(), ".lock") {
		t.Fatalf("lock folder holds %v, want one credentials-HASH.lock for the three names", locks)
	}
	if fi, err := os.Stat(filepath.Join(lockDir, locks[0].Name())); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	data, _ := os.ReadFile(path)
	if got := profileNames(data, false); len(got) != 3 {
		t.Errorf("profiles %q, want p0 p1 p2", got)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// unavailable skips a test whose tool or privilege is missing, or fails
// it under CI=true, so that a green CI never comes from skipped tests.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// mountTmpfs mounts a fresh tmpfs (with extra mount options) and returns
// its path, or skips when mounting is impossible (not root, no
// CAP_SYS_ADMIN, not Linux; under CI=true it fails).
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	dir := t.TempDir()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		unavailable(t, "mounting a tmpfs needs root on Linux")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		unavailable(t, "cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

func remount(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s: %v: %s", dir, err, out)
	}
}

func TestWriteCredentialsProfileErrors(t *testing.T) {
	t.Parallel()
	original := []byte("# keep me\n[other]\naws_access_key_id = AKIAKEEP\n")
	for _, tc := range []struct {
		name string
		// setup returns the credentials path; the file there, if any,
		// must be unchanged after the failed write.
		setup func(t *testing.T) string
		// lockDir returns the lock folder; nil: a fresh one.
		lockDir func(t *testing.T) string
		want    string // in the error
	}{
		{
			name: "no_lock_folder",
			setup: func(t *testing.T) string {
				path := filepath.Join(t.TempDir(), "credentials")
				if err := os.WriteFile(path, original, 0o600); err != nil {
					t.Fatal(err)
				}
				return path
			},
			lockDir: func(*testing.T) string { return "" },
			want:    "no folder for the lock file",
		},
		{
			name: "lock_folder_is_a_file",
			setup: func(t *testing.T) string {
				path := filepath.Join(t.TempDir(), "credentials")
				if err := os.WriteFile(path, original, 0o600); err != nil {
					t.Fatal(err)
				}
				return path
			},
			lockDir: func(t *testing.T) string {
				file := filepath.Join(t.TempDir(), "file")
				if err := os.WriteFile(file, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				return file
			},
			want: "not a directory",
		},
		{
			name: "folder_cannot_be_created",
			setup: func(t *testing.T) string {
				file := filepath.Join(t.TempDir(), "file")
				if err := os.WriteFile(file, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				return filepath.Join(file, "sub", "credentials")
			},
			want: "not a directory",
		},
		{
			name: "not_a_regular_file",
			setup: func(t *testing.T) string {
				path := filepath.Join(t.TempDir(), "credentials")
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Fatal(err)
				}
				return path
			},
			want: "not a regular file",
		},
		{
			name: "unreadable_file",
			setup: func(t *testing.T) string {
				if os.Geteuid() == 0 {
					t.Skip("running as root: permission bits do not stop reads")
				}
				path := filepath.Join(t.TempDir(), "credentials")
				if err := os.WriteFile(path, original, 0o000); err != nil {
					t.Fatal(err)
				}
				return path
			},
			want: "permission denied",
		},
		{
			name: "symlink_loop",
			setup: func(t *testing.T) string {
				path := filepath.Join(t.TempDir(), "credentials")
				if err := os.Symlink(path, path); err != nil {
					t.Skip("no symlinks:", err)
				}
				return path
			},
			want: "too many links",
		},
		{
			name: "read_only_folder",
			setup: func(t *testing.T) string {
				dir := mountTmpfs(t, "size=1m,mode=0700")
				path := filepath.Join(dir, "credentials")
				if err := os.WriteFile(path, original, 0o600); err != nil {
					t.Fatal(err)
				}
				remount(t, dir, "ro")
				return path
			},
			want: "read-only file system",
		},
		{
			// Issue 10 item 9: a credentials file past 16 MiB is refused,
			// not read.
			name: "huge_file",
			setup: func(t *testing.T) string {
				path := filepath.Join(t.TempDir(), "credentials")
				if err := os.WriteFile(path, original, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(path, 16<<20+1); err != nil {
					t.Fatal(err)
				}
				return path
			},
			want: "file too large (16 MiB, the limit is 16 MiB)",
		},
		{
			name: "read_only_file",
			setup: func(t *testing.T) string {
				path := filepath.Join(t.TempDir(), "credentials")
				if err := os.WriteFile(path, original, 0o400); err != nil {
					t.Fatal(err)
				}
				return path
			},
			want: "credentials: file is not writable (mode 0400)",
		},
		{
			name: "disk_full",
			setup: func(t *testing.T) string {
				dir := mountTmpfs(t, "size=64k,mode=0700")
				path := filepath.Join(dir, "credentials")
				// A 40 KiB file leaves no room for its 40 KiB copy.
				big := append([]byte(nil), original...)
				for len(big) < 40<<10 {
					big = append(big, "# padding padding padding padding padding padding\n"...)
				}
				original := big
				if err := os.WriteFile(path, original, 0o600); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					if got, _ := os.ReadFile(path); string(got) != string(original) {
						t.Errorf("file changed after a full disk")
					}
				})
				return path
			},
			want: "no space left on device",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.setup(t)
			before, beforeErr := os.ReadFile(path)
			lockDir := t.TempDir()
			if tc.lockDir != nil {
				lockDir = tc.lockDir(t)
			}
			_, err := WriteCredentialsProfile(path, "tgt", testTemp, WriteOptions{LockDir: lockDir})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not say %q", msg, tc.want)
			}
			if strings.ContainsAny(msg, "\r\n") || strings.Contains(msg, testTemp.SecretAccessKey) || strings.Contains(msg, testTemp.SessionToken) {
				t.Errorf("error is not one secret-free line: %q", msg)
			}
			after, afterErr := os.ReadFile(path)
			if string(after) != string(before) || (beforeErr == nil) != (afterErr == nil) {
				t.Errorf("file changed by a failed write")
			}
			if fi, err := os.Stat(filepath.Dir(path)); err == nil && fi.IsDir() {
				assertNoTemp(t, filepath.Dir(path))
			}
		})
	}
}

// TestWriteCredentialsProfileUnreadableAsNobody covers the unreadable
// file when the tests run as root (where permission bits do not stop
// reads): a copy of the test binary runs the write as user nobody.
func TestWriteCredentialsProfileUnreadableAsNobody(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		unavailable(t, "needs root on Linux (as non-root, TestWriteCredentialsProfileErrors/unreadable_file covers this)")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		unavailable(t, "no setpriv (util-linux): %v", err)
	}
	dir, err := os.MkdirTemp("", "awsxc-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "engine.test")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	// exectest: tests of this package start children in parallel
	// (ETXTBSY otherwise).
	exectest.WriteProgram(t, bin, data)
	path := filepath.Join(dir, "credentials")
	original := []byte("[other]\naws_access_key_id = AKIAKEEP\n")
	if err := os.WriteFile(path, original, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir} {
		if err := os.Chmod(p, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "-test.run=^TestCredfileWriterHelper$")
	cmd.Env = []string{"AWSXC_TEST_CREDFILE_WRITER=" + path + ":tgt", "AWSXC_TEST_CREDFILE_LOCKDIR=" + filepath.Join(dir, "locks"), "HOME=" + dir}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "permission denied") {
		t.Fatalf("helper as nobody: %v: %s", err, out)
	}
	if got, _ := os.ReadFile(path); string(got) != string(original) {
		t.Errorf("file changed: %q", got)
	}
	assertNoTemp(t, dir)
}

// The helper process for TestWriteCredentialsProfileConcurrent: when
// started with AWSXC_TEST_CREDFILE_WRITER=path:profile it writes one
// profile and exits.
func TestCredfileWriterHelper(t *testing.T) {
	spec := os.Getenv("AWSXC_TEST_CREDFILE_WRITER")
	if spec == "" {
		t.Skip("helper process for TestWriteCredentialsProfileConcurrent")
	}
	i := strings.LastIndexByte(spec, ':')
	opts := WriteOptions{LockDir: os.Getenv("AWSXC_TEST_CREDFILE_LOCKDIR")}
	if _, err := WriteCredentialsProfile(spec[:i], spec[i+1:], testTemp, opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func TestWriteCredentialsProfileConcurrent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(path, []byte("# shared\n[keep]\nx = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	lockDir := t.TempDir()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := WriteCredentialsProfile(path, fmt.Sprintf("goroutine-%02d", i), testTemp, WriteOptions{LockDir: lockDir})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestCredfileWriterHelper$")
			cmd.Env = append(os.Environ(), fmt.Sprintf("AWSXC_TEST_CREDFILE_WRITER=%s:process-%02d", path, i), "AWSXC_TEST_CREDFILE_LOCKDIR="+lockDir)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("helper %d: %v: %s", i, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := profileNames(data, false)
	if len(got) != 2*n+1 {
		t.Errorf("%d sections after %d concurrent writers, want %d: %q", len(got), 2*n, 2*n+1, got)
	}
	if !strings.HasPrefix(string(data), "# shared\n[keep]\nx = 1\n") {
		t.Errorf("file head changed: %q", data[:40])
	}
	assertNoTemp(t, filepath.Dir(path))
}

// TestWriteCredentialsProfileLargeFile edits a generated 10 000-profile
// file (about 1 MB) and reports how long one write takes.
func TestWriteCredentialsProfileLargeFile(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&b, "[profile-%05d]\naws_access_key_id = ASIA%016d\naws_secret_access_key = secret%d\naws_session_token = token%d\n\n", i, i, i, i)
	}
	in := []byte(b.String())
	path := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(path, in, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"profile-00000", "profile-05000", "profile-09999", "new-profile"} {
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := WriteCredentialsProfile(path, name, testTemp, WriteOptions{LockDir: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
		t.Logf("write [%s] into a %d-byte file: %v", name, len(before), time.Since(start))
		after, _ := os.ReadFile(path)
		kv, _ := credentialLines(testTemp)
		checkWrite(t, before, after, name, kv)
	}
}

func BenchmarkEditCredentialsLargeFile(b *testing.B) {
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, "[profile-%05d]\naws_access_key_id = ASIA%016d\naws_secret_access_key = secret%d\naws_session_token = token%d\n\n", i, i, i, i)
	}
	in := []byte(sb.String())
	kv, _ := credentialLines(testTemp)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, _, err := editCredentials(in, "profile-05000", kv, false); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteCredentialsProfileRemovesStaleCopies (review 1, L9): the
// read-back copy of the whole credentials file that a writer killed
// before it could remove it leaves in the lock folder is removed by the
// next writer of that file, under its lock; the copies of writers of
// other files are not touched.
func TestWriteCredentialsProfileRemovesStaleCopies(t *testing.T) {
	t.Parallel()
	dir, lockDir := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "credentials")
	real, err := fsutil.RealPath(path)
	if err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(lockDir, verifyPrefix(real)+"123456.tmp")
	other := filepath.Join(lockDir, verifyPrefix(real+"-other")+"123456.tmp")
	for _, p := range []string{stale, other} {
		if err := os.WriteFile(p, []byte("[old]\naws_secret_access_key = s\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := WriteCredentialsProfile(path, "tgt", testTemp, WriteOptions{LockDir: lockDir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale copy is still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another file's copy was removed: %v", err)
	}
	entries, _ := os.ReadDir(lockDir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), verifyPrefix(real)) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
