package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/awsxc/awsxc/internal/fakeaws"
	"github.com/awsxc/awsxc/internal/fsutil"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"key_id", "signed by AKIAIOSFODNN7EXAMPLE.", "signed by AKIA…MPLE."},
		{"session_key_id", "key ASIAFAKE0001EXAMPLE here", "key ASIA…MPLE here"},
		{"short_word_kept", "AKIAEXAMPLE and ASIA", "AKIAEXAMPLE and ASIA"},
		{"secret_key", "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY end", "secret … end"},
		{"query_token", "X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr%2F%2F%2FwEaCXVzLWVhc3QtMSJH&Action=AssumeRole", "X-Amz-Security-Token=…&Action=AssumeRole"},
		{"header_token", "X-Amz-Security-Token: FwoGZXIvYXdzEBYaDHfakeTOKEN", "X-Amz-Security-Token: …"},
		{"signature", "Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/sts/aws4_request, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
			"Credential=AKIA…MPLE/20261201/us-east-1/sts/aws4_request, Signature=…"},
		{"json_access_token", `{"accessToken":"aoaAAAAAGlvY2FsaG9zdDEy","expiresAt":"2027-01-01T00:00:00Z"}`, `{"accessToken":"…","expiresAt":"2027-01-01T00:00:00Z"}`},
		{"xml_secret", "<SecretAccessKey>fakeSecret12345</SecretAccessKey>", "<SecretAccessKey>…</SecretAccessKey>"},
		{"bearer", "Authorization: Bearer abcdefghijkl", "Authorization: Bearer …"},
		{"jwt", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2ln ok", "token eyJ… ok"},
		{"error_code_kept", "api error ExpiredToken: The security token included in the request is expired",
			"api error ExpiredToken: The security token included in the request is expired"},
		{"prose_after_label_kept", "token: expired", "token: expired"},
		{"hex_hash_kept", "open /root/.aws/sso/cache/137bbb67eae428844e440389784af702e27c3c82.json: no such file",
			"open /root/.aws/sso/cache/137bbb67eae428844e440389784af702e27c3c82.json: no such file"},
		{"path_kept", "credential_process /home/alice/Projects2024/DeployScripts/bin/getcreds failed",
			"credential_process /home/alice/Projects2024/DeployScripts/bin/getcreds failed"},
		{"arn_kept", "arn:aws:iam::123456789012:role/Deploy", "arn:aws:iam::123456789012:role/Deploy"},
		// An OIDC service that echoes the request body (review 2, M2):
		// base64url secrets split into short runs at '-' and '_', so the
		// labels must catch them.
		{"json_client_secret", `{"clientId":"cid","clientSecret":"SECRET-client_SECRET-0123-abcd"}`, `{"clientId":"cid","clientSecret":"…"}`},
		{"code_verifier", "code_verifier=Ab-1_cD.2~eF-3_gH-4_iJ&x=1", "code_verifier=…&x=1"},
		{"json_code_verifier", `"codeVerifier": "Ab-1_cD.2~eF-3_gH-4_iJ"`, `"codeVerifier": "…"`},
		{"json_device_code", `{"deviceCode":"dc-Zx_9-Qw_8-Er_7","grantType":"x"}`, `{"deviceCode":"…","grantType":"x"}`},
		{"json_refresh_token", `"refreshToken":"rt-Zx_9-Qw_8-Er_7"`, `"refreshToken":"…"`},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("%s: Redact(%q)\n got %q\nwant %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// secretsFrom makes, from seed, a secret access key, a session token and
// an access key id shaped like real ones (base64, mixed case, digits).
func secretsFrom(seed []byte) (secret, token, keyID string) {
	h := sha256.Sum256(seed)
	var long []byte
	for i := range 8 {
		s := sha256.Sum256(append(h[:], byte(i)))
		long = append(long, s[:]...)
	}
	enc := base64.StdEncoding.EncodeToString(long)
	secret = "Ab1" + enc[:37]
	token = "IQoJ" + enc[40:300]
	id := strings.ToUpper(base64.RawURLEncoding.EncodeToString(h[:12]))
	id = strings.Map(func(r rune) rune {
		if ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return 'X'
	}, id)
	keyID = "ASIA" + id[:16]
	return
}

// FuzzRedact: whatever the text around them, a secret key, a session
// token and a key id put in it never come out whole, as in an echo of a
// request (header, query, XML or JSON, or bare); the output is one
// Redact away from itself, and never longer in lines.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"", "api error AccessDenied: ", "X-Amz-Security-Token=", `{"SessionToken": "`, "<SessionToken>", "Bearer ", "/home/u/", "a=b&c=", "\n\t"} {
		f.Add(s, " end", uint8(0))
	}
	f.Fuzz(func(t *testing.T, before, after string, form uint8) {
		secret, token, keyID := secretsFrom([]byte(before + "\x00" + after))
		var mid string
		switch form % 5 {
		case 0:
			mid = fmt.Sprintf(" %s %s %s ", keyID, secret, token)
		case 1:
			mid = fmt.Sprintf("X-Amz-Security-Token=%s&AWSAccessKeyId=%s&Secret=%s", token, keyID, secret)
		case 2:
			mid = fmt.Sprintf(`{"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"%s"}`, keyID, secret, token)
		case 3:
			mid = fmt.Sprintf("<AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken>", keyID, secret, token)
		case 4:
			mid = fmt.Sprintf("Authorization: AWS4-HMAC-SHA256 Credential=%s/20261201/us-east-1/sts/aws4_request X-Amz-Security-Token: %s %s", keyID, token, secret)
		}
		in := before + mid + after
		out := Redact(in)
		for _, s := range []string{secret, token, keyID} {
			if strings.Contains(out, s) {
				t.Fatalf("Redact(%q) = %q keeps %q", in, out, s)
			}
		}
		if again := Redact(out); again != out {
			t.Fatalf("not idempotent:\n%q\n%q", out, again)
		}
		if strings.Count(out, "\n") > strings.Count(in, "\n") {
			t.Fatalf("more lines out than in: %q", out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of valid in: %q", out)
		}
	})
}

// echoSTS is an STS endpoint that refuses every call with an error whose
// message quotes the whole request, headers and body, as a misbehaving
// proxy or a debugging endpoint might.
func echoSTS(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req strings.Builder
		r.Header.Write(&req)
		req.Write(body)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed; you sent: %s</Message></Error><RequestId>echo-1</RequestId></ErrorResponse>`,
			html.EscapeString(req.String()))
	}))
	t.Cleanup(srv.Close)
	return srv
}

const echoConfig = `[profile role]
role_arn = arn:aws:iam::123456789012:role/Echo
source_profile = src
region = us-east-1
[profile static]
region = us-east-1
`

const echoCreds = `[src]
aws_access_key_id = ASIASOURCESESSION001
aws_secret_access_key = srcSecretKeyValue0000000000000000000000001
aws_session_token = SOURCESESSIONTOKEN0000secretTOKENvalue00000000000000000000000000000000000001
[static]
aws_access_key_id = AKIASTATICECHOKEY001
aws_secret_access_key = staticSecretKeyValue00000000000000000000001
`

// TestIssue10Item5EchoedRequest: an STS that echoes the request in its
// error message never puts the source's session token, secret or key id
// on an error line or in a log record: the error code and the service's
// message stay, what looks like a secret is masked. Both STS calls awsxc
// makes are tried (AssumeRole through the SDK, GetSessionToken of its
// own), and a Source's warning log.
func TestIssue10Item5EchoedRequest(t *testing.T) {
	t.Parallel()
	srv := echoSTS(t)
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cf, []byte(fakeaws.WithEndpoint(echoConfig, srv.URL)), 0o600)
	os.WriteFile(kf, []byte(echoCreds), 0o600)
	env := Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir}
	secrets := []string{"SOURCESESSIONTOKEN", "secretTOKENvalue", "srcSecretKeyValue", "staticSecretKeyValue", "ASIASOURCESESSION001", "AKIASTATICECHOKEY001"}
	check := func(what, s string) {
		t.Helper()
		for _, sec := range secrets {
			if strings.Contains(s, sec) {
				t.Errorf("%s shows %s: %s", what, sec, s)
			}
		}
	}
	for _, tc := range []struct {
		profile string
		temp    bool
	}{{"role", false}, {"static", true}} {
		_, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: tc.profile, EnsureTemporary: tc.temp})
		if err == nil {
			t.Fatalf("%s: no error", tc.profile)
		}
		msg := err.Error()
		if !strings.Contains(msg, "AccessDenied") || !strings.Contains(msg, "not allowed; you sent") {
			t.Errorf("%s: %q lost the error code or the service's message", tc.profile, msg)
		}
		if !strings.Contains(msg, "X-Amz-Security-Token") && tc.profile == "role" {
			t.Errorf("%s: %q: the echo did not reach the error (the test would prove nothing)", tc.profile, msg)
		}
		check(tc.profile+" error", msg)
	}
	var logs bytes.Buffer
	src, err := NewSource(context.Background(), SourceOptions{Env: env, Profile: "role",
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Credentials(context.Background()); err == nil {
		t.Fatal("no error")
	}
	src.Close()
	if !strings.Contains(logs.String(), "AccessDenied") {
		t.Errorf("the log has no refresh failure: %s", logs.String())
	}
	check("the log", logs.String())
}

// TestErrorRedactsCause: an [*Error] redacts its cause, whoever made it
// (engine/console's STS calls cannot wrap as upstream), and keeps the
// file paths the cause names whole, a folder named like a secret
// included (review 1, M3).
func TestErrorRedactsCause(t *testing.T) {
	t.Parallel()
	// A folder name with the shape of a secret: base64, mixed case,
	// digits, over 40 characters.
	odd := "Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MEFiQ2RFZkdoSWpLbA"
	dir := filepath.Join(t.TempDir(), odd)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "credentials")
	if err := os.WriteFile(big, make([]byte, 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	_, tooLarge := fsutil.ReadRegular(big, 1024)
	_, missing := os.ReadFile(filepath.Join(dir, "config"))
	const token = "IQoJb3JpZ2luX2VjEJr0aGlzSXNBU2Vzc2lvblRva2VuMTIzNDU2Nzg5MA"
	for _, tc := range []struct {
		name        string
		cause       error
		keep, taken []string
	}{
		{"echoed_token", fmt.Errorf("STS GetCallerIdentity: %w", errors.New("api error AccessDenied: you sent X-Amz-Security-Token="+token+" and "+token)),
			[]string{"api error AccessDenied: you sent X-Amz-Security-Token=…"}, []string{token}},
		{"key_id", errors.New("signed with ASIAFAKE0001EXAMPLEX"), []string{"ASIA…PLEX"}, []string{"ASIAFAKE0001EXAMPLEX"}},
		{"fsutil_path", tooLarge, []string{big, "the limit is 1 KiB"}, nil},
		{"path_error", missing, []string{filepath.Join(dir, "config")}, nil},
		{"wrapped_path_and_token", fmt.Errorf("config file: %w (token %s)", missing, token), []string{filepath.Join(dir, "config")}, []string{token}},
		{"sdk_shared_config", config.SharedConfigLoadError{Filename: big, Err: errors.New("bad")}, []string{big}, nil},
		{"upstream_path", fromUpstream(&os.PathError{Op: "open", Path: big, Err: fs.ErrPermission}), []string{big}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := &Error{Profile: "p", Kind: ErrResolve, Err: tc.cause}
			msg := e.Error()
			for _, k := range tc.keep {
				if !strings.Contains(msg, k) {
					t.Errorf("%q lost %q", msg, k)
				}
			}
			for _, s := range tc.taken {
				if strings.Contains(msg, s) {
					t.Errorf("%q shows %q", msg, s)
				}
			}
			// A front end that redacts what it prints changes nothing.
			if again := RedactError(e); again != msg {
				t.Errorf("not stable: %q, then %q", msg, again)
			}
		})
	}
}
