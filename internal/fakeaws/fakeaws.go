// Package fakeaws is a local STS and IAM Identity Center (SSO portal)
// endpoint for tests: a real HTTP server on a loopback port that answers
// the AWS query protocol the way STS does, so that the real AWS SDK for Go
// (and botocore, the AWS CLI, the JS SDK) can be pointed at it with
// AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_SSO.
//
// It records every call with the access key id that signed it, so tests
// can count STS calls and check which credentials were used.
package fakeaws

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Call is one request the server received.
type Call struct {
	Action    string     // AssumeRole, GetSessionToken, GetCallerIdentity, GetRoleCredentials, ...
	SignedBy  string     // access key id from the SigV4 Authorization header, if any
	Form      url.Values // the decoded form (STS) or query (SSO)
	BearerSSO string     // x-amz-sso_bearer_token (SSO)
}

// Server is a fake STS + SSO endpoint.
type Server struct {
	*httptest.Server

	mu       sync.Mutex // protects the fields below
	calls    []Call
	n        int
	duration time.Duration
	fail     string // when set, every STS call fails with this error code
	delay    time.Duration
	now      func() time.Time
	account  string
	callerID string // ARN returned by GetCallerIdentity
}

// New starts a server; it is closed with t.Cleanup by the caller (or Close).
func New() *Server {
	s := &Server{duration: time.Hour, now: time.Now, account: "123456789012",
		callerID: "arn:aws:iam::123456789012:user/alice"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetDuration sets the lifetime of the credentials handed out (default 1h)
// when the request does not ask for one.
func (s *Server) SetDuration(d time.Duration) { s.mu.Lock(); s.duration = d; s.mu.Unlock() }

// SetNow sets the clock used for expirations.
func (s *Server) SetNow(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// SetCallerArn sets the ARN GetCallerIdentity returns.
func (s *Server) SetCallerArn(arn string) { s.mu.Lock(); s.callerID = arn; s.mu.Unlock() }

// SetDelay makes every call wait d before answering.
func (s *Server) SetDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// Fail makes every later STS call fail with the given error code (e.g.
// "AccessDenied", "ExpiredToken"); "" restores success. Code
// "Unavailable" answers 503 so SDKs retry.
func (s *Server) Fail(code string) { s.mu.Lock(); s.fail = code; s.mu.Unlock() }

// Calls returns a copy of the calls so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Count returns how many calls of the action were made ("" counts all).
func (s *Server) Count(action string) int {
	n := 0
	for _, c := range s.Calls() {
		if action == "" || c.Action == action {
			n++
		}
	}
	return n
}

var credRe = regexp.MustCompile(`Credential=([^/,\s]+)/`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	signedBy := ""
	if m := credRe.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		signedBy = m[1]
	}
	if r.Method == http.MethodGet && r.URL.Path == "/federation/credentials" {
		s.sso(w, r, signedBy)
		return
	}
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	action := form.Get("Action")
	s.mu.Lock()
	s.calls = append(s.calls, Call{Action: action, SignedBy: signedBy, Form: form})
	s.n++
	n := s.n
	fail := s.fail
	dur := s.duration
	now := s.now()
	account := s.account
	caller := s.callerID
	s.mu.Unlock()

	if fail != "" {
		status := http.StatusForbidden
		if fail == "Unavailable" {
			status = http.StatusServiceUnavailable
		}
		writeXML(w, status, fmt.Sprintf(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>fake STS refuses: %s</Message></Error><RequestId>fake-%d</RequestId></ErrorResponse>`, fail, fail, n))
		return
	}
	if v := form.Get("DurationSeconds"); v != "" {
		var secs int
		fmt.Sscan(v, &secs)
		dur = time.Duration(secs) * time.Second
	}
	exp := now.Add(dur).UTC().Format("2006-01-02T15:04:05Z")
	creds := fmt.Sprintf(`<Credentials><AccessKeyId>ASIAFAKE%04dEXAMPLE</AccessKeyId><SecretAccessKey>fakeSecret%d</SecretAccessKey><SessionToken>FAKETOKEN%d</SessionToken><Expiration>%s</Expiration></Credentials>`, n, n, n, exp)
	switch action {
	case "GetSessionToken":
		writeXML(w, 200, `<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult>`+creds+`</GetSessionTokenResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetSessionTokenResponse>`)
	case "AssumeRole", "AssumeRoleWithWebIdentity":
		arn := form.Get("RoleArn")
		role := arn[strings.LastIndex(arn, "/")+1:]
		sess := form.Get("RoleSessionName")
		acct := account
		if parts := strings.Split(arn, ":"); len(parts) > 4 && parts[4] != "" {
			acct = parts[4]
		}
		user := fmt.Sprintf(`<AssumedRoleUser><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn><AssumedRoleId>AROAFAKE:%s</AssumedRoleId></AssumedRoleUser>`,
			html.EscapeString(acct), html.EscapeString(role), html.EscapeString(sess), html.EscapeString(sess))
		writeXML(w, 200, fmt.Sprintf(`<%sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%sResult>%s%s</%sResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></%sResponse>`,
			action, action, creds, user, action, action))
	case "GetCallerIdentity":
		writeXML(w, 200, fmt.Sprintf(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>AIDAFAKE</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
			html.EscapeString(caller), account))
	default:
		writeXML(w, 400, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>unknown action</Message></Error></ErrorResponse>`)
	}
}

// sso answers the portal's GetRoleCredentials.
func (s *Server) sso(w http.ResponseWriter, r *http.Request, signedBy string) {
	q := r.URL.Query()
	bearer := r.Header.Get("X-Amz-Sso_bearer_token")
	s.mu.Lock()
	s.calls = append(s.calls, Call{Action: "GetRoleCredentials", SignedBy: signedBy, Form: q, BearerSSO: bearer})
	s.n++
	n := s.n
	dur := s.duration
	now := s.now()
	fail := s.fail
	s.mu.Unlock()
	if fail != "" || bearer == "" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", "UnauthorizedException")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message":"Session token not found or invalid"}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"roleCredentials": map[string]any{
		"accessKeyId":     fmt.Sprintf("ASIASSO%04dEXAMPLE", n),
		"secretAccessKey": fmt.Sprintf("ssoSecret%d", n),
		"sessionToken":    fmt.Sprintf("SSOTOKEN%d", n),
		"expiration":      now.Add(dur).UnixMilli(),
	}})
}

func writeXML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	io.WriteString(w, body)
}
