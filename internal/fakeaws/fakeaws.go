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
	"strconv"
	"strings"
	"sync"
	"time"
)

// Call is one request the server received.
type Call struct {
	Action    string     // AssumeRole, GetSessionToken, GetCallerIdentity, GetRoleCredentials, ListAccounts, ...
	SignedBy  string     // access key id from the SigV4 Authorization header, if any
	Temporary bool       // the request carried X-Amz-Security-Token (signed with temporary credentials)
	Form      url.Values // the decoded form (STS) or query (SSO)
	BearerSSO string     // x-amz-sso_bearer_token (SSO)
}

// FederationRefusal is how GetFederationToken refuses a caller; see
// [Server.RefuseFederation].
type FederationRefusal int

// The refusals GetFederationToken can be told to answer.
const (
	FederationAllowed     FederationRefusal = iota // answer normally
	FederationDenied                               // the user's policies do not allow sts:GetFederationToken
	FederationMFARequired                          // an explicit deny conditioned on aws:MultiFactorAuthPresent
)

// Server is a fake STS + SSO portal endpoint.
type Server struct {
	*httptest.Server

	portal *Portal   // the SSO portal half, on the same listener
	reg    *registry // every set of credentials handed out

	mu         sync.Mutex // protects the fields below
	calls      []Call
	n          int
	duration   time.Duration
	fail       string // when set, every STS call fails with this error code
	delay      time.Duration
	held       chan struct{} // while set, every call waits until it is closed
	now        func() time.Time
	account    string
	callerID   string // ARN returned by GetCallerIdentity
	fedRefusal FederationRefusal
}

// New starts a server; it is closed with t.Cleanup by the caller (or Close).
func New() *Server {
	s := &Server{duration: time.Hour, now: time.Now, account: "123456789012",
		callerID: "arn:aws:iam::123456789012:user/alice", reg: &registry{}}
	s.portal = newPortal(s)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Portal returns the SSO portal half of the server (GetRoleCredentials,
// ListAccounts, ListAccountRoles, Logout), which answers on the same URL.
func (s *Server) Portal() *Portal { return s.portal }

// SetDuration sets the lifetime of the credentials handed out (default 1h)
// when the request does not ask for one.
func (s *Server) SetDuration(d time.Duration) { s.mu.Lock(); s.duration = d; s.mu.Unlock() }

// SetNow sets the clock used for expirations.
func (s *Server) SetNow(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// SetCallerArn sets the ARN GetCallerIdentity returns.
func (s *Server) SetCallerArn(arn string) { s.mu.Lock(); s.callerID = arn; s.mu.Unlock() }

// SetDelay makes every call wait d before answering.
func (s *Server) SetDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// Hold makes every later call wait, its request in flight, until the
// returned release is called (once; later calls do nothing) or the
// client gives up: a test that must see what happens while a request is
// outstanding releases it when it has looked, and needs no timing.
func (s *Server) Hold() (release func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	s.held = gate
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.held == gate {
				s.held = nil
			}
			s.mu.Unlock()
			close(gate)
		})
	}
}

// Fail makes every later STS call fail with the given error code (e.g.
// "AccessDenied", "ExpiredToken"); "" restores success. Code
// "Unavailable" answers 503 so SDKs retry.
func (s *Server) Fail(code string) { s.mu.Lock(); s.fail = code; s.mu.Unlock() }

// RefuseFederation makes GetFederationToken refuse every caller the given
// way ([FederationAllowed] restores success).
func (s *Server) RefuseFederation(r FederationRefusal) { s.mu.Lock(); s.fedRefusal = r; s.mu.Unlock() }

// AddUser registers an IAM user's long-term access key, so that the
// federation endpoint recognises it (and refuses it, as the real one
// does). Any key may sign STS requests whether or not it was added.
func (s *Server) AddUser(arn, accessKeyID, secretAccessKey string) {
	s.reg.add(Issued{Kind: KindLongTerm, AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey, Arn: arn})
}

// Issued returns what the fakes know about an access key id: the
// credentials they handed out with it, or a key registered with AddUser.
func (s *Server) Issued(accessKeyID string) (Issued, bool) { return s.reg.get(accessKeyID) }

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

// signer returns the access key id that signed r and whether the request
// was signed with temporary credentials.
func signer(r *http.Request) (string, bool) {
	signedBy := ""
	if m := credRe.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		signedBy = m[1]
	}
	return signedBy, r.Header.Get("X-Amz-Security-Token") != ""
}

// record appends a call and returns its sequence number and a snapshot
// of the settings the answer depends on.
func (s *Server) record(c Call) (n int, st stsState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.n++
	return s.n, stsState{fail: s.fail, dur: s.duration, now: s.now(), account: s.account,
		caller: s.callerID, fedRefusal: s.fedRefusal}
}

type stsState struct {
	fail       string
	dur        time.Duration
	now        time.Time
	account    string
	caller     string
	fedRefusal FederationRefusal
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delay, held := s.delay, s.held
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if held != nil {
		select {
		case <-held:
		case <-r.Context().Done():
			return
		}
	}
	if s.portal.handles(r) {
		s.portal.serve(w, r)
		return
	}
	signedBy, temporary := signer(r)
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	action := form.Get("Action")
	n, st := s.record(Call{Action: action, SignedBy: signedBy, Temporary: temporary, Form: form})

	if st.fail != "" {
		status := http.StatusForbidden
		if st.fail == "Unavailable" {
			status = http.StatusServiceUnavailable
		}
		writeSTSError(w, status, st.fail, "fake STS refuses: "+st.fail, n)
		return
	}
	dur := st.dur
	if v := form.Get("DurationSeconds"); v != "" {
		var secs int
		fmt.Sscan(v, &secs)
		dur = time.Duration(secs) * time.Second
	}
	exp := st.now.Add(dur)
	c := Issued{AccessKeyID: fmt.Sprintf("ASIAFAKE%04dEXAMPLE", n), SecretAccessKey: fmt.Sprintf("fakeSecret%d", n),
		SessionToken: fmt.Sprintf("FAKETOKEN%d", n), Expires: exp}
	switch action {
	case "GetSessionToken":
		c.Kind = KindSessionToken
		c.Arn, _ = s.callerOf(signedBy, st)
		s.reg.add(c)
		writeXML(w, 200, `<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult>`+credsXML(c)+`</GetSessionTokenResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetSessionTokenResponse>`)
	case "AssumeRole", "AssumeRoleWithWebIdentity":
		arn := form.Get("RoleArn")
		role := arn[strings.LastIndex(arn, "/")+1:]
		sess := form.Get("RoleSessionName")
		acct := st.account
		if parts := strings.Split(arn, ":"); len(parts) > 4 && parts[4] != "" {
			acct = parts[4]
		}
		c.Arn = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct, role, sess)
		switch {
		case action == "AssumeRoleWithWebIdentity":
			c.Kind = KindWebIdentity
		case temporary:
			c.Kind = KindChainedRole
		default:
			c.Kind = KindRole
		}
		s.reg.add(c)
		user := fmt.Sprintf(`<AssumedRoleUser><Arn>%s</Arn><AssumedRoleId>AROAFAKE:%s</AssumedRoleId></AssumedRoleUser>`,
			html.EscapeString(c.Arn), html.EscapeString(sess))
		writeXML(w, 200, fmt.Sprintf(`<%sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%sResult>%s%s</%sResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></%sResponse>`,
			action, action, credsXML(c), user, action, action))
	case "GetFederationToken":
		caller, acct := s.callerOf(signedBy, st)
		s.getFederationToken(w, form, temporary, c, n, st, caller, acct)
	case "GetCallerIdentity":
		arn, acct := s.callerOf(signedBy, st)
		writeXML(w, 200, fmt.Sprintf(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>AIDAFAKE</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
			html.EscapeString(arn), acct))
	default:
		writeXML(w, 400, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>unknown action</Message></Error></ErrorResponse>`)
	}
}

// callerOf is the principal that signed a call, as GetCallerIdentity
// reports it: the ARN of credentials the fakes issued or a user key
// registered with AddUser (an assumed-role, federated-user or user ARN;
// a GetSessionToken session reports its IAM user), else the ARN set with
// SetCallerArn.
func (s *Server) callerOf(signedBy string, st stsState) (arn, account string) {
	arn, account = st.caller, st.account
	if c, ok := s.reg.get(signedBy); ok && c.Arn != "" {
		arn = c.Arn
		if parts := strings.Split(arn, ":"); len(parts) > 4 && parts[4] != "" {
			account = parts[4]
		}
	}
	return arn, account
}

// federatedNameRe is GetFederationToken's Name pattern (userNameType in
// the STS model: [\w+=,.@-]+, 2 to 32 characters).
var federatedNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,32}$`)

// getFederationToken answers GetFederationToken with the rules of the
// real STS (API reference, GetFederationToken): only long-term IAM user
// keys may call it, Name is 2-32 characters of [\w+=,.@-], an inline
// Policy is JSON of at most 2048 characters, at most 10 PolicyArns, and
// DurationSeconds is 900-129600 (default 43200).
func (s *Server) getFederationToken(w http.ResponseWriter, form url.Values, temporary bool, c Issued, n int, st stsState, caller, account string) {
	name := form.Get("Name")
	if temporary {
		writeSTSError(w, 403, "AccessDenied", "Cannot call GetFederationToken with session credentials", n)
		return
	}
	if !federatedNameRe.MatchString(name) {
		writeSTSError(w, 400, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must have length less than or equal to 32 and match [\\w+=,.@-]+", name), n)
		return
	}
	if p := form.Get("Policy"); p != "" {
		if !json.Valid([]byte(p)) {
			writeSTSError(w, 400, "MalformedPolicyDocument", "The policy is not in the valid JSON format.", n)
			return
		}
		if len(p) > 2048 {
			writeSTSError(w, 400, "PackedPolicyTooLarge", "Packed policy consumes more than 100% of allotted space", n)
			return
		}
	}
	arns := 0
	for i := 1; form.Has(fmt.Sprintf("PolicyArns.member.%d.arn", i)); i++ {
		if !strings.HasPrefix(form.Get(fmt.Sprintf("PolicyArns.member.%d.arn", i)), "arn:") {
			writeSTSError(w, 400, "ValidationError", "Invalid PolicyArn", n)
			return
		}
		arns++
	}
	if arns > 10 {
		writeSTSError(w, 400, "ValidationError", "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10", n)
		return
	}
	if v := form.Get("DurationSeconds"); v != "" {
		secs, err := strconv.Atoi(v)
		if err != nil || secs < 900 || secs > 129600 {
			writeSTSError(w, 400, "ValidationError", "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600", n)
			return
		}
	} else {
		c.Expires = st.now.Add(43200 * time.Second)
	}
	fedArn := fmt.Sprintf("arn:aws:sts::%s:federated-user/%s", account, name)
	switch st.fedRefusal {
	case FederationDenied:
		writeSTSError(w, 403, "AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: sts:GetFederationToken on resource: %s", caller, fedArn), n)
		return
	case FederationMFARequired:
		writeSTSError(w, 403, "AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: sts:GetFederationToken on resource: %s with an explicit deny in an identity-based policy", caller, fedArn), n)
		return
	}
	c.Kind, c.Arn = KindFederationToken, fedArn
	s.reg.add(c)
	writeXML(w, 200, fmt.Sprintf(`<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetFederationTokenResult>%s<FederatedUser><FederatedUserId>%s:%s</FederatedUserId><Arn>%s</Arn></FederatedUser><PackedPolicySize>6</PackedPolicySize></GetFederationTokenResult><ResponseMetadata><RequestId>fake-%d</RequestId></ResponseMetadata></GetFederationTokenResponse>`,
		credsXML(c), account, html.EscapeString(name), html.EscapeString(fedArn), n))
}

func credsXML(c Issued) string {
	return fmt.Sprintf(`<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>`,
		c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.Expires.UTC().Format("2006-01-02T15:04:05Z"))
}

func writeSTSError(w http.ResponseWriter, status int, code, msg string, n int) {
	writeXML(w, status, fmt.Sprintf(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fake-%d</RequestId></ErrorResponse>`,
		html.EscapeString(code), html.EscapeString(msg), n))
}

func writeXML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	io.WriteString(w, body)
}
