package creds

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format names an output format. The names are those of
// `aws configure export-credentials --format`, plus dotenv and docker.
type Format string

// The formats [Render] writes.
const (
	// FormatProcess is credential_process JSON: Version, AccessKeyId,
	// SecretAccessKey, then SessionToken, Expiration and AccountId when
	// present (AccountId is in the credential_process spec; newer SDKs
	// read it, older ones ignore it).
	FormatProcess Format = "process"
	// FormatEnv is POSIX shell `export NAME=value` lines (bash, zsh, sh),
	// with `unset` for what the credentials lack, for eval.
	FormatEnv Format = "env"
	// FormatEnvNoExport is `NAME=value` lines for `export $(...)`.
	FormatEnvNoExport Format = "env-no-export"
	// FormatPowerShell is `$Env:NAME="value"` lines.
	FormatPowerShell Format = "powershell"
	// FormatWindowsCmd is `set NAME=value` lines for cmd.exe.
	FormatWindowsCmd Format = "windows-cmd"
	// FormatFish is `set -gx NAME value;` lines for fish.
	FormatFish Format = "fish"
	// FormatDotenv is a .env file (double-quoted where needed).
	FormatDotenv Format = "dotenv"
	// FormatDocker is a file for `docker run --env-file`, which takes
	// values literally and cannot quote.
	FormatDocker Format = "docker"
)

// Formats lists every format, in the order help texts show them.
var Formats = []Format{FormatProcess, FormatEnv, FormatEnvNoExport, FormatPowerShell,
	FormatWindowsCmd, FormatFish, FormatDotenv, FormatDocker}

// FormatNames lists the names of [Formats].
func FormatNames() []string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return names
}

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	f := Format(s)
	if slices.Contains(Formats, f) {
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want one of %s)", s, strings.Join(FormatNames(), ", "))
}

// RenderOptions tunes [Render].
type RenderOptions struct {
	// Region is written as AWS_REGION and AWS_DEFAULT_REGION by the
	// environment formats; empty leaves them out.
	Region string
	// Pretty indents FormatProcess JSON.
	Pretty bool
}

// Var is one environment variable of an export.
type Var struct{ Name, Value string }

// ErrUnsafeValue is wrapped by the error of [EnvVars] and [Render] for a
// value that no environment export can carry as it is.
var ErrUnsafeValue = errors.New("value cannot be exported")

// EnvVars returns the variables an environment export sets, in order:
// the keys, the session token, expiration and account id
// (AWS_ACCOUNT_ID, which SDKs use for account-based endpoints) when
// present, the region when known. A value holding a control character (a
// line break, a tab, an escape, NUL, DEL, a C1 control) is an error
// wrapping [ErrUnsafeValue] that names the variable and never the value:
// in an export it would start another line or command (`export $(...)`
// defining BASH_ENV), and no credential or region holds one.
func EnvVars(c Credentials, region string) ([]Var, error) {
	vars := envVars(c, region)
	for _, v := range vars {
		if i := strings.IndexFunc(v.Value, unicode.IsControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(v.Value[i:])
			return nil, fmt.Errorf("%w: %s holds a control character (%U at byte %d), which an environment export cannot carry",
				ErrUnsafeValue, v.Name, r, i+1)
		}
	}
	return vars, nil
}

func envVars(c Credentials, region string) []Var {
	vars := []Var{
		{"AWS_ACCESS_KEY_ID", c.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", c.SecretAccessKey},
	}
	if c.SessionToken != "" {
		vars = append(vars, Var{"AWS_SESSION_TOKEN", c.SessionToken})
	}
	if c.CanExpire() {
		vars = append(vars, Var{"AWS_CREDENTIAL_EXPIRATION", FormatTime(c.Expires)})
	}
	if c.AccountID != "" {
		vars = append(vars, Var{"AWS_ACCOUNT_ID", c.AccountID})
	}
	if region != "" {
		vars = append(vars, Var{"AWS_REGION", region}, Var{"AWS_DEFAULT_REGION", region})
	}
	return vars
}

// StaleVars returns the variables an export must clear so that an older
// export in the same shell does not mix with this one: a leftover session
// token with long-term keys is rejected by AWS, and a leftover
// AWS_ACCOUNT_ID of another identity would send these credentials to
// that account's endpoints.
func StaleVars(c Credentials) []string {
	var names []string
	if c.SessionToken == "" {
		names = append(names, "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
	}
	if !c.CanExpire() {
		names = append(names, "AWS_CREDENTIAL_EXPIRATION")
	}
	if c.AccountID == "" {
		names = append(names, "AWS_ACCOUNT_ID")
	}
	return names
}

// ChildEnvDrop lists the variables an environment passed on to a program
// that gets c (awsxc-cli --exec) must lose besides those EnvVars sets:
// the credentials and profile selection of another identity, and its
// account id.
func ChildEnvDrop() []string {
	return []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID"}
}

// Render writes the credentials in format f. Output ends with a newline.
// The environment formats refuse a value with a control character (see
// [EnvVars]), and FormatEnvNoExport one with white space too, with an
// error wrapping [ErrUnsafeValue]; FormatProcess escapes them, as JSON
// does.
func Render(f Format, c Credentials, o RenderOptions) ([]byte, error) {
	if f == FormatProcess {
		return processJSON(c, o.Pretty), nil
	}
	vars, err := EnvVars(c, o.Region)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	switch f {
	case FormatEnv:
		for _, v := range vars {
			fmt.Fprintf(&b, "export %s=%s\n", v.Name, shQuote(v.Value))
		}
		if stale := StaleVars(c); len(stale) > 0 {
			fmt.Fprintf(&b, "unset %s\n", strings.Join(stale, " "))
		}
	case FormatEnvNoExport:
		for _, v := range vars {
			// export $(...) splits its words on white space whatever the
			// quotes: a space would start another assignment.
			if i := strings.IndexFunc(v.Value, unicode.IsSpace); i >= 0 {
				return nil, fmt.Errorf("%w: %s holds white space (at byte %d), which export $(...) would split into another variable",
					ErrUnsafeValue, v.Name, i+1)
			}
			fmt.Fprintf(&b, "%s=%s\n", v.Name, shQuote(v.Value))
		}
	case FormatFish:
		for _, v := range vars {
			fmt.Fprintf(&b, "set -gx %s %s;\n", v.Name, fishQuote(v.Value))
		}
		for _, n := range StaleVars(c) {
			fmt.Fprintf(&b, "set -e %s;\n", n)
		}
	case FormatPowerShell:
		for _, v := range vars {
			fmt.Fprintf(&b, "$Env:%s=%s\n", v.Name, psQuote(v.Value))
		}
		for _, n := range StaleVars(c) {
			fmt.Fprintf(&b, "Remove-Item Env:%s -ErrorAction SilentlyContinue\n", n)
		}
	case FormatWindowsCmd:
		for _, v := range vars {
			if cmdSafe(v.Value) {
				fmt.Fprintf(&b, "set %s=%s\n", v.Name, v.Value)
			} else {
				// cmd takes everything between the first and the last
				// quote literally: no escape is needed (a %NAME% pair naming
				// a defined variable would still expand, as it does in the
				// AWS CLI's own windows-cmd output).
				fmt.Fprintf(&b, "set \"%s=%s\"\n", v.Name, v.Value)
			}
		}
		for _, n := range StaleVars(c) {
			fmt.Fprintf(&b, "set %s=\n", n)
		}
	case FormatDotenv:
		for _, v := range vars {
			fmt.Fprintf(&b, "%s=%s\n", v.Name, dotenvQuote(v.Value))
		}
	case FormatDocker:
		for _, v := range vars {
			fmt.Fprintf(&b, "%s=%s\n", v.Name, v.Value)
		}
	default:
		return nil, fmt.Errorf("unknown format %q", f)
	}
	return []byte(b.String()), nil
}

// processJSON writes credential_process JSON by hand: the key order is
// part of the contract, and it keeps reflection off the CLI's hot path.
func processJSON(c Credentials, pretty bool) []byte {
	type kv struct{ k, v string }
	fields := []kv{{"AccessKeyId", c.AccessKeyID}, {"SecretAccessKey", c.SecretAccessKey}}
	if c.SessionToken != "" {
		fields = append(fields, kv{"SessionToken", c.SessionToken})
	}
	if c.CanExpire() {
		fields = append(fields, kv{"Expiration", FormatTime(c.Expires)})
	}
	if c.AccountID != "" {
		fields = append(fields, kv{"AccountId", c.AccountID})
	}
	b := make([]byte, 0, 256+len(c.SessionToken))
	sep, colon, end := ",", ":", "}\n"
	if pretty {
		sep, colon, end = ",\n  ", ": ", "\n}\n"
		b = append(b, "{\n  "...)
	} else {
		b = append(b, '{')
	}
	b = append(b, `"Version"`...)
	b = append(b, colon...)
	b = append(b, '1')
	for _, f := range fields {
		b = append(b, sep...)
		b = strconv.AppendQuote(b, f.k)
		b = append(b, colon...)
		b = appendJSONString(b, f.v)
	}
	return append(b, end...)
}

// appendJSONString appends s as a JSON string. Credentials are ASCII in
// practice; anything else is escaped as JSON requires.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	if plainJSON(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			// C0 as JSON requires; DEL and C1 too, so that none reaches a
			// terminal raw (the default output is for one).
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		case r == 0x2028 || r == 0x2029:
			b = append(b, fmt.Sprintf(`\u%04x`, r)...)
		default:
			b = append(b, string(r)...)
		}
	}
	return append(b, '"')
}

// plainJSON reports whether s is printable ASCII with nothing to escape,
// as credentials are.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// shSafe reports whether s needs no quoting in a POSIX shell word (the set
// Python's shlex.quote leaves alone, which covers base64 credentials).
func shSafe(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("@%+=:,./-_", r)) {
			return false
		}
	}
	return true
}

// ShellQuote quotes s as one word for a POSIX shell, the way the sh
// format does: unchanged when it needs no quoting (as Python's
// shlex.quote), else in single quotes.
func ShellQuote(s string) string { return shQuote(s) }

func shQuote(s string) string {
	if shSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// The replacers are built once: building one per value was most of the
// cost of rendering.
var (
	fishEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	psEscaper   = strings.NewReplacer("`", "``", `"`, "`\"", "$", "`$",
		// PowerShell also ends a double-quoted string at these.
		"\u201c", "`\u201c", "\u201d", "`\u201d", "\u201e", "`\u201e")
	dotenvEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "$", `\$`)
)

func fishQuote(s string) string {
	if shSafe(s) {
		return s
	}
	return "'" + fishEscaper.Replace(s) + "'"
}

// psQuote writes a PowerShell double-quoted string, escaping with the
// backtick what would otherwise expand.
func psQuote(s string) string {
	return `"` + psEscaper.Replace(s) + `"`
}

func cmdSafe(s string) bool {
	return !strings.ContainsAny(s, "&|<>^%\"() \t!")
}

func dotenvQuote(s string) string {
	if shSafe(s) {
		return s
	}
	return `"` + dotenvEscaper.Replace(s) + `"`
}
