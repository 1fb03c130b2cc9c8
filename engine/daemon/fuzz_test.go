package daemon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/daemon/wire"
	"github.com/awsxc/awsxc/internal/fakeaws"
)

// FuzzDecodeRequest: any body gives a request or an answer to send, and
// a request that passes is within its bounds.
func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"profile":"dev","config":{"config_file":"/c","sdk":{"AWS_CA_BUNDLE":"00"}},"ensure_temporary":true,"duration_seconds":900}`))
	f.Add([]byte(`{"profile":"dev","new_field":1}`))
	f.Add([]byte(`{"profile":"dev"} {}`))
	f.Add([]byte(`{"duration_seconds":-1}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, aerr, status := decodeRequest(bytes.NewReader(body))
		if aerr == nil {
			if req.DurationSeconds < 0 || req.DurationSeconds > 129600 {
				t.Errorf("accepted duration %d", req.DurationSeconds)
			}
			return
		}
		if status < 400 || aerr.Code == "" || strings.ContainsAny(aerr.Message, "\n\r") {
			t.Errorf("answer %d %+v", status, aerr)
		}
	})
}

// FuzzDecodeAnswer: whatever a daemon answers, the client returns an
// answer it checked, an engine error, or a fall-back, and never panics.
func FuzzDecodeAnswer(f *testing.F) {
	f.Add(200, "1", []byte(goodAnswer))
	f.Add(200, "1", []byte(`{"credentials":{"access_key_id":"A","secret_access_key":"s","expiration":"2026-01-02T03:04:05.5Z"}}`))
	f.Add(422, "1", []byte(`{"error":{"code":"resolve","kind":"mfa-required","action":"mfa-code","profile":"p","message":"m","hint":"h"}}`))
	f.Add(409, "1", []byte(`{"error":{"code":"fallback","message":"x"}}`))
	f.Add(200, "2", []byte(goodAnswer))
	f.Add(503, "1", []byte(`nope`))
	f.Fuzz(func(t *testing.T, status int, version string, body []byte) {
		var resp CredentialsResponse
		err := decodeAnswer(status, version, body, &resp)
		var e *engine.Error
		switch {
		case err == nil:
			if status != http.StatusOK || version != "1" {
				t.Errorf("accepted status %d version %q", status, version)
			}
		case errors.As(err, &e):
			if status != http.StatusUnprocessableEntity || e.Kind == nil {
				t.Errorf("engine error %v from status %d", err, status)
			}
		case !errors.Is(err, ErrFallback):
			t.Errorf("error %v neither an engine error nor a fall-back", err)
		}
	})
}

// FuzzHandler: any request to the local API gets an answer of the
// protocol, in JSON, with a status the client knows, and no error
// answer shows an MFA code it was given.
func FuzzHandler(f *testing.F) {
	_, env, d := fuzzDaemon(f)
	h := d.Handler()
	good, _ := json.Marshal(CredentialsRequest{Profile: "role", Config: ConfigOf(env, nil)})
	withCode, _ := json.Marshal(CredentialsRequest{Profile: "mfarole", Config: ConfigOf(env, nil), MFACode: "MFA-CODE-7"})
	f.Add("POST", PathCredentials, "1", good)
	f.Add("POST", PathCredentials, "1", withCode)
	f.Add("POST", PathCredentials, "1", []byte(`{"profile":"static","config":{}}`))
	f.Add("GET", PathStatus, "1", []byte(nil))
	f.Add("POST", PathCredentials, "2", good)
	f.Add("DELETE", "/v1/x", "1", []byte(`{}`))
	f.Add("GET", PathServers, "1", []byte(nil))
	f.Add("POST", PathServers, "1", []byte(`{"kind":"imds","profile":"static"}`))
	f.Add("POST", PathServers, "1", []byte(`{"name":"api","kind":"ecs-consumer","profile":"role"}`))
	f.Add("POST", PathServers, "1", []byte(`{"name":"x","kind":"imds","follow_active":true,"addr":"0.0.0.0:1"}`))
	f.Add("POST", PathRevoke, "1", []byte(`{"name":"api"}`))
	f.Add("POST", PathRemove, "1", []byte(`{"name":"imds-static"}`))
	f.Add("POST", PathRemove, "1", []byte(`{"name":1}`))
	f.Add("GET", PathActivity, "1", []byte(nil))
	f.Fuzz(func(t *testing.T, method, path, version string, body []byte) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(method, " \t\r\n") || method == "" {
			return
		}
		req := httptest.NewRequest("GET", "http://awsxc/", bytes.NewReader(body))
		req.Method, req.URL.Path = method, path
		req.Header.Set(Header, version)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 404, 405, 409, 413, 422, 503:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		if rec.Header().Get(Header) != "1" {
			t.Errorf("answer without the protocol header")
		}
		if rec.Code == 200 && path == PathActivity {
			// JSON lines.
			for _, line := range bytes.Split(bytes.TrimSuffix(rec.Body.Bytes(), []byte("\n")), []byte("\n")) {
				if len(line) > 0 && !json.Valid(line) {
					t.Errorf("activity line is not JSON: %q", line)
				}
			}
		} else if !json.Valid(rec.Body.Bytes()) {
			t.Errorf("answer %d is not JSON: %q", rec.Code, rec.Body.String())
		}
		var cr CredentialsRequest
		if rec.Code != 200 && json.Unmarshal(body, &cr) == nil && len(cr.MFACode) >= 4 && strings.Contains(rec.Body.String(), cr.MFACode) {
			t.Errorf("the answer shows the MFA code: %s", rec.Body.String())
		}
	})
}

// FuzzAppendRequest: the hand-written request encodes what
// encoding/json does, for any strings (invalid UTF-8 and control
// characters included) and options.
func FuzzAppendRequest(f *testing.F) {
	f.Add("dev", "/home/u/.aws/config", "AWS_CA_BUNDLE", "0011", "", true, int64(900), "arn:aws:iam::1:mfa/u", "123456", false)
	f.Add("a\"b\\c\x00\x1f", "\xff\xfe", "é\u2028", "<&>", "eu-west-1", false, int64(0), "", "", true)
	f.Fuzz(func(t *testing.T, profile, file, sdkName, sdkValue, region string, temp bool, dur int64, serial, code string, refresh bool) {
		for _, sdk := range []map[string]string{nil, {}, {sdkName: sdkValue, "AWS_X": file}} {
			req := CredentialsRequest{Profile: profile, Config: Config{ConfigFile: file, CredentialsFile: file + "x", Home: profile,
				CacheDir: sdkValue, Region: region, ContainerRelativeURI: serial, ContainerFullURI: code, SDK: sdk},
				EnsureTemporary: temp, DurationSeconds: dur, MFASerial: serial, MFACode: code, Refresh: refresh}
			ours := wire.AppendRequest(nil, &req)
			a := readsAsJSON(t, ours, req)
			// Written without escapes, it is read by the daemon's own reader.
			if !bytes.ContainsRune(ours, '\\') && utf8.Valid(ours) {
				got, ok := scanRequest(ours)
				if !ok {
					t.Errorf("scanRequest refuses a client's request %s", ours)
				} else if diff := cmp.Diff(a, got); diff != "" {
					t.Errorf("(-encoding/json +scanRequest):\n%s", diff)
				}
			}
		}
	})
}

// FuzzScanRequest: whatever the daemon's plain-form reader accepts,
// encoding/json decodes (strictly, as decodeRequest does) to the same
// request; and what a client writes, it accepts.
func FuzzScanRequest(f *testing.F) {
	req := CredentialsRequest{Profile: "dev", Config: Config{ConfigFile: "/home/u/.aws/config", CredentialsFile: "/home/u/.aws/credentials",
		Home: "/home/u", CacheDir: "/home/u/.cache", Region: "eu-west-1", SDK: map[string]string{"AWS_ENDPOINT_URL_STS": "7fdadc67c540634c"}},
		EnsureTemporary: true, DurationSeconds: 900, MFASerial: "arn:aws:iam::1:mfa/u", MFACode: "123456", Refresh: true}
	f.Add(wire.AppendRequest(nil, &req))
	f.Add(wire.AppendRequest(nil, &CredentialsRequest{Profile: "é"}))
	f.Add([]byte(` { "profile" : "a" , "config" : { "sdk" : null } } `))
	f.Add([]byte(`{"profile":"a","profile":"b"}`))
	f.Add([]byte(`{"Profile":"a"}`))
	f.Add([]byte(`{"duration_seconds":-0}`))
	f.Add([]byte(`{"duration_seconds":01}`))
	f.Add([]byte(`{"duration_seconds":1e3}`))
	f.Add([]byte(`{"duration_seconds":9223372036854775808}`))
	f.Add([]byte(`{"config":{"sdk":{"A":"1","A":"2"}}}`))
	f.Add([]byte("{\"profile\":\"\xff\"}"))
	f.Add([]byte(`{"profile":"a\u0041"}`))
	f.Add([]byte(`{"refresh":true}x`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := scanRequest(body)
		if !ok {
			return
		}
		var want CredentialsRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&want); err != nil || dec.More() {
			t.Fatalf("scanRequest accepted %q, which encoding/json refuses: %v", body, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-encoding/json +scanRequest):\n%s", body, diff)
		}
	})
}

// FuzzAppendResponse: the daemon's hand-written answer reads back with
// encoding/json as what encoding/json writes reads back.
func FuzzAppendResponse(f *testing.F) {
	f.Add("role", "assume-role", "eu-west-1", "ASIA", "s", "t", "2026-01-02T03:04:05Z", "123456789012", "/c", "x", 1)
	f.Add("a\"b\\c\x00\x1f", "\xff\xfe", "", "é\u2028", "<&>", "", "", "", "", "", 0)
	f.Fuzz(func(t *testing.T, profile, kind, region, key, secret, token, exp, account, file, text string, warnings int) {
		resp := CredentialsResponse{Profile: profile, Kind: kind, Region: region,
			Credentials: Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: token, Expiration: exp, AccountID: account}}
		for i := range warnings % 4 {
			resp.Warnings = append(resp.Warnings, Warning{File: file + strconv.Itoa(i), Text: text})
		}
		readsAsJSON(t, wire.AppendResponse(nil, &resp), resp)
	})
}

// readsAsJSON fails the test unless ours, a hand-written encoding of v,
// reads back with encoding/json as encoding/json's own encoding of v
// does; it returns ours as read.
func readsAsJSON[T any](t *testing.T, ours []byte, v T) T {
	t.Helper()
	std, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var a, b T
	if err := json.Unmarshal(ours, &a); err != nil {
		t.Fatalf("%q: %v", ours, err)
	}
	json.Unmarshal(std, &b)
	if diff := cmp.Diff(b, a); diff != "" {
		t.Errorf("(-encoding/json +ours):\n%s\nours: %s\nstd:  %s", diff, ours, std)
	}
	return a
}

// FuzzAnswerNow: whatever bytes the local endpoint's thread reads, the
// daemon declines them or answers a whole HTTP answer, as the Handler
// answers the same request (status, protocol header, body), and never
// starts a wait (no STS call).
func FuzzAnswerNow(f *testing.F) {
	sts, env, d := fuzzDaemon(f)
	post := func(version string, body []byte) []byte {
		return fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: awsxc\r\n%s: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			PathCredentials, Header, version, len(body), body)
	}
	for _, p := range []string{"static", "role", "proc", "missing", "mfarole"} {
		f.Add(post("1", wire.AppendRequest(nil, &CredentialsRequest{Profile: p, Config: ConfigOf(env, nil)})))
	}
	f.Add(post("1", wire.AppendRequest(nil, &CredentialsRequest{Profile: "static", Config: ConfigOf(env, nil), EnsureTemporary: true})))
	f.Add(post("1", wire.AppendRequest(nil, &CredentialsRequest{Profile: "static"})))
	f.Add(post("2", []byte(`{}`)))
	f.Add(post("1", []byte(`[`)))
	f.Add([]byte("GET /v1/status HTTP/1.1\r\nHost: awsxc\r\nAwsxc-Protocol: 1\r\n\r\n"))
	f.Add([]byte("POST /v1/credentials HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		calls := len(sts.Calls())
		answer, ok := d.answerNow(raw)
		if n := len(sts.Calls()); n != calls {
			t.Fatalf("%q: %d STS calls on the thread", raw, n-calls)
		}
		if !ok {
			return
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(answer)), nil)
		if err != nil {
			t.Fatalf("%q: the answer %q: %v", raw, answer, err)
		}
		got, err := io.ReadAll(resp.Body)
		if err != nil || !wire.WholeAnswer(answer) {
			t.Fatalf("%q: the answer %q is not whole: %v", raw, answer, err)
		}
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatalf("%q answered, but net/http cannot read it: %v", raw, err)
		}
		rec := httptest.NewRecorder()
		d.Handler().ServeHTTP(rec, r)
		if rec.Code != resp.StatusCode || rec.Header().Get(Header) != resp.Header.Get(Header) {
			t.Errorf("%q: the thread answers %d (protocol %q), the Handler %d (%q)", raw,
				resp.StatusCode, resp.Header.Get(Header), rec.Code, rec.Header().Get(Header))
		}
		if resp.StatusCode == http.StatusOK {
			var a, b CredentialsResponse
			if json.Unmarshal(got, &a) != nil || json.Unmarshal(rec.Body.Bytes(), &b) != nil {
				t.Fatalf("%q: answers %q and %q", raw, got, rec.Body.Bytes())
			}
			if diff := cmp.Diff(b, a); diff != "" {
				t.Errorf("%q (-Handler +thread):\n%s", raw, diff)
			}
		}
	})
}

// fuzzDaemon is a daemon on the test files with a fake STS, for a fuzz
// test's whole run.
func fuzzDaemon(f *testing.F) (*fakeaws.Server, engine.Env, *Daemon) {
	f.Helper()
	sts := fakeaws.New()
	f.Cleanup(sts.Close)
	dir, cf, kf := sts.Files(f, testConfig, testCreds)
	env := engine.Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir}
	d, err := New(context.Background(), Options{Env: env, TokenDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { d.Close() })
	return sts, env, d
}
