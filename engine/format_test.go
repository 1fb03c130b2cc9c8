package engine

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var formatCreds = map[string]Credentials{
	"static": {AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret"},
	"session": {AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "sessionsecret",
		SessionToken: "sessiontokenEXAMPLE"},
	"proc": {AccessKeyID: "ASIAPROCEXAMPLE", SecretAccessKey: "procsecret",
		SessionToken: "proctokenEXAMPLE", Expires: time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)},
	// An account id the SDK reported (an assumed role, SSO).
	"account": {AccessKeyID: "ASIAACCOUNTEXAMPLE", SecretAccessKey: "accountsecret",
		SessionToken: "accounttokenEXAMPLE", Expires: time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC), AccountID: "123456789012"},
	// Characters every shell treats specially, to check the quoting.
	"hostile": {AccessKeyID: "ASIA'QUOTE", SecretAccessKey: `a"b$c` + "`d\\e f%g!h&i",
		SessionToken: "tok/+=en\u00e9", Expires: time.Date(2099, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 2*3600))},
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	for name, c := range formatCreds {
		for _, f := range Formats {
			for _, region := range []string{"", "eu-west-1"} {
				file := filepath.Join("format", name+"."+string(f))
				if region != "" {
					file += ".region"
				}
				got, err := Render(f, c, RenderOptions{Region: region})
				if err != nil {
					// export $(...) would split the hostile secret's space.
					if f == FormatEnvNoExport && name == "hostile" && errors.Is(err, ErrUnsafeValue) {
						continue
					}
					t.Fatalf("%s: %v", file, err)
				}
				golden(t, file+".golden", got)
			}
		}
		got, _ := Render(FormatProcess, c, RenderOptions{Pretty: true})
		golden(t, filepath.Join("format", name+".process-pretty.golden"), got)
	}
}

// TestRenderMatchesReference checks the outputs aws-export-credentials
// users rely on, byte for byte, against its captured output in
// testdata/reference (see the README.txt there).
func TestRenderMatchesReference(t *testing.T) {
	t.Parallel()
	ref := filepath.Join("testdata", "reference")
	cases := []struct {
		file   string
		f      Format
		pretty bool
		creds  string
	}{
		{"json-static", FormatProcess, false, "static"},
		{"json-session", FormatProcess, false, "session"},
		{"json-proc", FormatProcess, false, "proc"},
		{"json-pretty-static", FormatProcess, true, "static"},
		{"json-pretty-session", FormatProcess, true, "session"},
		{"json-pretty-proc", FormatProcess, true, "proc"},
		{"env-session", FormatEnvNoExport, false, "session"},
		{"env-proc", FormatEnvNoExport, false, "proc"},
		{"env-static", FormatEnvNoExport, false, "static"},
		{"env-export-session", FormatEnv, false, "session"},
		{"env-export-proc", FormatEnv, false, "proc"},
	}
	for _, tc := range cases {
		want, err := os.ReadFile(filepath.Join(ref, tc.file+".stdout.txt"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Render(tc.f, formatCreds[tc.creds], RenderOptions{Pretty: tc.pretty})
		if err != nil {
			t.Fatal(err)
		}
		// Difference: awsxc adds one "unset" line for what the
		// credentials lack (AWS_ACCOUNT_ID included), so that an older
		// export in the same shell cannot linger.
		gotRef := regexp.MustCompile(`(?m)^unset .*\n`).ReplaceAllString(string(got), "")
		if diff := cmp.Diff(string(want), gotRef); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.file, diff)
		}
	}
}

// TestRenderDiffersFromReference: where awsxc deliberately differs from
// aws-export-credentials, each case says how, and the rest of the output
// is still the reference's byte for byte. aws-export-credentials never
// prints an account id; awsxc prints the one the SDK reports.
func TestRenderDiffersFromReference(t *testing.T) {
	t.Parallel()
	ref := filepath.Join("testdata", "reference")
	withAccount := formatCreds["proc"]
	withAccount.AccountID = "123456789012"
	cases := []struct {
		file   string
		f      Format
		pretty bool
		// why says what differs; ref turns the reference into awsxc's
		// output.
		why string
		ref func(string) string
	}{
		{"json-proc", FormatProcess, false, "AccountId after Expiration (the credential_process spec's field)",
			func(s string) string { return strings.Replace(s, `"}`, `","AccountId":"123456789012"}`, 1) }},
		{"json-pretty-proc", FormatProcess, true, "AccountId after Expiration",
			func(s string) string {
				return strings.Replace(s, "Z\"\n}", "Z\",\n  \"AccountId\": \"123456789012\"\n}", 1)
			}},
		{"env-proc", FormatEnvNoExport, false, "AWS_ACCOUNT_ID after AWS_CREDENTIAL_EXPIRATION",
			func(s string) string { return s + "AWS_ACCOUNT_ID=123456789012\n" }},
		{"env-export-proc", FormatEnv, false, "export AWS_ACCOUNT_ID after AWS_CREDENTIAL_EXPIRATION",
			func(s string) string { return s + "export AWS_ACCOUNT_ID=123456789012\n" }},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			want, err := os.ReadFile(filepath.Join(ref, tc.file+".stdout.txt"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Render(tc.f, withAccount, RenderOptions{Pretty: tc.pretty})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.ref(string(want)), string(got)); diff != "" {
				t.Errorf("%s, differing only by %s (-want +got):\n%s", tc.file, tc.why, diff)
			}
		})
	}
}

func TestFormatTimeUTC(t *testing.T) {
	t.Parallel()
	// aws-export-credentials printed a +02:00 time as if it were UTC.
	in := time.Date(2099, 1, 2, 3, 4, 5, 678e6, time.FixedZone("", 2*3600))
	if got, want := FormatTime(in), "2099-01-02T01:04:05Z"; got != want {
		t.Errorf("FormatTime = %q, want %q", got, want)
	}
}

func TestMaskKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"AKIAIOSFODNN7EXAMPLE": "AKIA…MPLE",
		"short":                "…",
		"":                     "",
	} {
		if got := MaskKey(in); got != want {
			t.Errorf("MaskKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	if _, err := ParseFormat("bogus"); err == nil || !strings.Contains(err.Error(), "powershell") {
		t.Errorf("ParseFormat(bogus) = %v, want an error listing the formats", err)
	}
	for _, f := range Formats {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
}

// FuzzRender checks that shell quoting round-trips through a real POSIX
// shell parser's rules for single quotes: whatever the value, the export
// line stays one assignment per variable.
func FuzzRender(f *testing.F) {
	f.Add("AKIA", "s'e\"c$r`e\\t", "tok\nen")
	f.Fuzz(func(t *testing.T, id, secret, token string) {
		c := Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}
		for _, fm := range Formats {
			out, err := Render(fm, c, RenderOptions{Region: "eu-west-1"})
			// The environment formats refuse control characters, and
			// env-no-export white space, and nothing else.
			unsafe := strings.ContainsFunc(id+secret+token, unicode.IsControl) ||
				(fm == FormatEnvNoExport && strings.ContainsFunc(id+secret+token, unicode.IsSpace))
			if fm == FormatProcess {
				unsafe = false
			}
			switch {
			case err != nil && unsafe && errors.Is(err, ErrUnsafeValue):
				if strings.Contains(err.Error(), secret) && len(secret) > 3 {
					t.Fatalf("%s: the error quotes the secret: %v", fm, err)
				}
				continue
			case err != nil:
				t.Fatalf("%s: %v", fm, err)
			case unsafe:
				t.Fatalf("%s: a value with a control character or white space was rendered: %q", fm, out)
			}
			if len(out) == 0 || out[len(out)-1] != '\n' {
				t.Fatalf("%s: output does not end in a newline: %q", fm, out)
			}
		}
		for _, pretty := range []bool{false, true} {
			out, err := Render(FormatProcess, c, RenderOptions{Pretty: pretty})
			if err != nil {
				t.Fatalf("process JSON refused: %v", err)
			}
			var got map[string]any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("invalid JSON %q: %v", out, err)
			}
			// Values round-trip (invalid UTF-8 comes back as U+FFFD, as
			// encoding/json would write it).
			if utf8.ValidString(id) && got["AccessKeyId"] != id {
				t.Fatalf("AccessKeyId = %q, want %q", got["AccessKeyId"], id)
			}
			if utf8.ValidString(secret) && got["SecretAccessKey"] != secret {
				t.Fatalf("SecretAccessKey = %q, want %q", got["SecretAccessKey"], secret)
			}
			if got["Version"] != float64(1) {
				t.Fatalf("Version = %v", got["Version"])
			}
		}
	})
}

// TestEnvEvaluatedByRealShells feeds the export lines to real shells and
// reads the variables back, so the quoting is checked by the parsers that
// will consume it, not by our idea of them.
func TestEnvEvaluatedByRealShells(t *testing.T) {
	t.Parallel()
	c := formatCreds["hostile"]
	want, err := EnvVars(c, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		shell string
		f     Format
		args  func(script string) []string
	}{
		{"sh", FormatEnv, func(s string) []string { return []string{"-c", s + "\nenv"} }},
		{"bash", FormatEnv, func(s string) []string { return []string{"-c", s + "\nenv"} }},
		{"fish", FormatFish, func(s string) []string { return []string{"-c", s + "\nenv"} }},
	} {
		path, err := exec.LookPath(tc.shell)
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Errorf("%s not installed; CI must install it (scripts/deps.sh)", tc.shell)
			}
			t.Logf("%s not installed, skipped", tc.shell)
			continue
		}
		out, err := Render(tc.f, c, RenderOptions{Region: "eu-west-1"})
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(path, tc.args(string(out))...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "AWS_SESSION_TOKEN=stale"}
		env, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", tc.shell, err)
		}
		got := map[string]string{}
		for _, line := range strings.Split(string(env), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "AWS_") {
				got[k] = v
			}
		}
		for _, v := range want {
			if got[v.Name] != v.Value {
				t.Errorf("%s: %s = %q, want %q", tc.shell, v.Name, got[v.Name], v.Value)
			}
		}
	}
}

func TestRenderRefusesAndEscapes(t *testing.T) {
	t.Parallel()
	// Issue 10 item 7: a secret with a line break made export $(awsxc-cli
	// --env) define BASH_ENV. Every environment format refuses every
	// control character, in any value, naming the variable and not the
	// value; the JSON escapes them.
	for _, tc := range []struct {
		name   string
		c      Credentials
		region string
		want   string
	}{
		{"lf_in_secret", Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s3cr3t\n BASH_ENV=/tmp/x", SessionToken: "t"}, "",
			"AWS_SECRET_ACCESS_KEY holds a control character (U+000A at byte 7)"},
		{"cr_in_key", Credentials{AccessKeyID: "ASIA\r", SecretAccessKey: "s"}, "", "AWS_ACCESS_KEY_ID holds a control character (U+000D"},
		{"tab_in_token", Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t\tBASH_ENV=x"}, "", "AWS_SESSION_TOKEN holds a control character (U+0009"},
		{"esc_in_token", Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t\x1b]0;x\a"}, "", "U+001B"},
		{"nul", Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s\x00", SessionToken: "t"}, "", "U+0000"},
		{"del", Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s\x7f", SessionToken: "t"}, "", "U+007F"},
		{"c1", Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s\u0085", SessionToken: "t"}, "", "U+0085"},
		{"lf_in_region", Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s"}, "eu-west-1\nBASH_ENV=/tmp/x", "AWS_REGION holds a control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := EnvVars(tc.c, tc.region); !errors.Is(err, ErrUnsafeValue) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("EnvVars: %v, want %q", err, tc.want)
			}
			for _, f := range Formats {
				out, err := Render(f, tc.c, RenderOptions{Region: tc.region})
				if f == FormatProcess {
					if err != nil || !json.Valid(out) || strings.ContainsFunc(string(out), func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) {
						t.Errorf("process: %q, %v; want JSON with the characters escaped", out, err)
					}
					continue
				}
				if !errors.Is(err, ErrUnsafeValue) || !strings.Contains(err.Error(), tc.want) || out != nil {
					t.Errorf("%s: %q, %v; want no output and %q", f, out, err, tc.want)
				}
				if err != nil && (strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "BASH_ENV")) {
					t.Errorf("%s: the error quotes the value: %v", f, err)
				}
			}
		})
	}
	// export $(...) splits on white space whatever the quotes: env-no-export
	// refuses it; the formats that are evaluated quote it.
	spaced := Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s BASH_ENV=/tmp/x", SessionToken: "t"}
	if _, err := Render(FormatEnvNoExport, spaced, RenderOptions{}); !errors.Is(err, ErrUnsafeValue) ||
		err.Error() != "value cannot be exported: AWS_SECRET_ACCESS_KEY holds white space (at byte 2), which export $(...) would split into another variable" {
		t.Errorf("env-no-export with a space: %v", err)
	}
	if out, err := Render(FormatEnv, spaced, RenderOptions{}); err != nil || !strings.Contains(string(out), "export AWS_SECRET_ACCESS_KEY='s BASH_ENV=/tmp/x'\n") {
		t.Errorf("env with a space: %q, %v; want it quoted", out, err)
	}
	// PowerShell ends a double-quoted string at typographic quotes too.
	got, _ := Render(FormatPowerShell, Credentials{AccessKeyID: "A\u201cB\u201dC\u201eD", SecretAccessKey: "s"}, RenderOptions{})
	if want := "$Env:AWS_ACCESS_KEY_ID=\"A`\u201cB`\u201dC`\u201eD\"\n"; !strings.HasPrefix(string(got), want) {
		t.Errorf("powershell = %q, want it to start with %q", got, want)
	}
}
