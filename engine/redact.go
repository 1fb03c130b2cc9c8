package engine

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/awsxc/awsxc/internal/fsutil"
	"github.com/awsxc/awsxc/internal/lazyre"
)

// Redact returns s with everything in it that looks like a credential
// masked, for an error line or a log record: the engine's one rule,
// applied to every [*Error] message, and by the front ends to whatever
// else they print. An upstream service's error text is kept (its code and
// its message) but may quote the request, signature and session token
// included (an endpoint that echoes what it was sent), so:
//
//   - an access key id (AKIA…, ASIA…, ABIA…, ACCA…) is shown as [MaskKey]
//     shows it, AKIA…WXYZ;
//   - the value after a label that names a secret (X-Amz-Security-Token=,
//     Signature=, "SessionToken": "…", <SecretAccessKey>…, Bearer …,
//     access_token=, client_secret=, code_verifier=, deviceCode, password=,
//     ...) becomes "…";
//   - a JSON Web Token (eyJ….….…) becomes "eyJ…";
//   - an opaque run of 40 or more base64 or URL-escaped characters that
//     mixes upper case, lower case and digits (the shape of a secret
//     access key, a session token, an SSO token) becomes "…". In a run
//     that starts with '/', an absolute path, only the parts between
//     slashes that have that shape on their own (20 characters or more)
//     are masked, so a path stays readable.
//
// Redact(Redact(s)) == Redact(s).
func Redact(s string) string {
	s = labelled().ReplaceAllStringFunc(s, func(m string) string {
		sub := labelled().FindStringSubmatch(m)
		if sub[1] == "" {
			return sub[4] + sub[5] + "…" // Bearer …
		}
		return sub[1] + sub[2] + "…"
	})
	s = keyID().ReplaceAllStringFunc(s, MaskKey)
	s = jwt().ReplaceAllString(s, "eyJ…")
	return opaque().ReplaceAllStringFunc(s, maskOpaque)
}

var (
	// labelled matches a secret's label, its separator and at least 8
	// characters of value (shorter words after a label are prose: "token:
	// expired").
	labelled = lazyre.New(`(?i)\b(x-amz-security-token|x-amz-signature|x-amz-credential|x-amz-sso_bearer_token|` +
		`aws_secret_access_key|aws_session_token|aws_security_token|secretaccesskey|secret_access_key|secretkey|` +
		`sessiontoken|session_token|securitytoken|security_token|accesstoken|access_token|refreshtoken|refresh_token|` +
		`idtoken|id_token|clientsecret|client_secret|codeverifier|code_verifier|devicecode|device_code|bearer_token|signature|password|token)` +
		`("?'?\s*(?:=>|[:=])\s*"?'?|>)([^\s&"'<>,;)}\]\\]{8,})` +
		`|\b(bearer)(\s+)([^\s&"'<>,;)}\]\\]{8,})`)
	keyID  = lazyre.New(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,124}\b`)
	jwt    = lazyre.New(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	opaque = lazyre.New(`[A-Za-z0-9+/%]{40,}=*`)
)

// maskOpaque masks an opaque run found by the opaque pattern when it has
// the shape of a secret (see [Redact]).
func maskOpaque(run string) string {
	if !strings.HasPrefix(run, "/") {
		if secretShaped(strings.TrimRight(run, "=")) {
			return "…"
		}
		return run
	}
	parts := strings.Split(run, "/")
	for i, p := range parts {
		if len(p) >= 20 && secretShaped(strings.TrimRight(p, "=")) {
			parts[i] = "…"
		}
	}
	return strings.Join(parts, "/")
}

// secretShaped reports whether s mixes upper case, lower case and digits.
func secretShaped(s string) bool {
	var upper, lower, digit bool
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z':
			upper = true
		case 'a' <= c && c <= 'z':
			lower = true
		case '0' <= c && c <= '9':
			digit = true
		}
	}
	return upper && lower && digit
}

// RedactError is err's message through [Redact], on one line, except
// that the file paths err names are kept whole: those of its
// *fs.PathError, *os.LinkError and *exec.Error values, of the SDK's
// shared-config errors, and those awsxc's own errors mark (see
// fsutil.WithPaths). A folder name of letters and digits has the shape
// of a secret, and a path is useless masked. [Error.Error] applies it to
// its cause; a front end applies it to any other error it prints or
// logs. It is "" for a nil err.
func RedactError(err error) string {
	if err == nil {
		return ""
	}
	return redactKeeping(err.Error(), fsutil.Paths(err, sdkPaths))
}

// sdkPaths returns the file paths an error of the SDK's config package
// names.
func sdkPaths(err error) []string {
	switch e := err.(type) {
	case config.SharedConfigLoadError:
		return []string{e.Filename}
	case *config.SharedConfigLoadError:
		return []string{e.Filename}
	case config.SharedConfigProfileNotExistError:
		return e.Filename
	case *config.SharedConfigProfileNotExistError:
		return e.Filename
	}
	return nil
}

// redactKeeping is [Redact] of s on one line, with every occurrence of
// the strings in keep that stands on its own left as it is (see
// replaceDelimited): each is set aside behind a placeholder that no
// pattern of Redact matches (NUL, a number, NUL), and put back
// afterwards.
func redactKeeping(s string, keep []string) string {
	keep = slices.DeleteFunc(slices.Clone(keep), func(k string) bool { return k == "" || !strings.Contains(s, k) })
	if len(keep) == 0 || strings.Contains(s, "\x00") {
		return Redact(oneLine(s))
	}
	// Longest first, so that a path that contains another is set aside
	// whole.
	slices.SortFunc(keep, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	keep = slices.Compact(keep)
	for i, k := range keep {
		s = replaceDelimited(s, k, placeholder(i))
	}
	s = Redact(oneLine(s))
	for i := len(keep) - 1; i >= 0; i-- {
		s = strings.ReplaceAll(s, placeholder(i), keep[i])
	}
	return s
}

func placeholder(i int) string { return "\x00" + strconv.Itoa(i) + "\x00" }

// replaceDelimited replaces the occurrences of old in s that stand on
// their own, with no letter, digit or other character of an opaque run
// (see the opaque pattern) right before or after them: a path in a
// message stands between spaces, quotes or colons, while the same
// characters inside a secret (a base64 key holds '/') must not be set
// aside, which would cut the secret into runs too short to be masked.
func replaceDelimited(s, old, repl string) string {
	var b strings.Builder
	for start := 0; ; {
		j := strings.Index(s[start:], old)
		if j < 0 {
			b.WriteString(s[start:])
			return b.String()
		}
		i, end := start+j, start+j+len(old)
		before := i == 0 || !opaqueByte(s[i-1])
		after := end == len(s) || !(opaqueByte(s[end]) || s[end] == '=')
		if before && after {
			b.WriteString(s[start:i])
			b.WriteString(repl)
			start = end
		} else {
			// Not on its own: look again from the next byte, since a
			// later occurrence may overlap this one.
			b.WriteString(s[start : i+1])
			start = i + 1
		}
	}
}

// opaqueByte says whether c can be part of an opaque run.
func opaqueByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '%'
}
