package creds

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

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
			out := processJSON(c, pretty)
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
