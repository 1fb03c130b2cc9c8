package fakeaws

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// FederationCall is one request the console federation fake received.
// It holds no secret: the Session's access key id only.
type FederationCall struct {
	Action          string // getSigninToken or login
	Method          string
	SessionID       string // getSigninToken: the access key id in the Session JSON
	Kind            Kind   // getSigninToken: what the fakes know of those credentials
	SessionDuration string // getSigninToken: as sent ("" when absent)
	Destination     string // login
	Issuer          string // login
	Status          int    // the HTTP status answered
	Refusal         string // why the request was refused ("" when it was not)
}

// Federation is a fake of the console federation endpoint,
// https://signin.aws.amazon.com/federation: Action=getSigninToken turns
// temporary credentials that the fakes issued into a sign-in token, and
// Action=login (the URL a browser opens) checks the token and redirects
// to Destination. Its URL is [Federation.Endpoint].
type Federation struct {
	*httptest.Server
	sts *Server

	mu     sync.Mutex // protects the fields below
	now    func() time.Time
	tokens map[string]signinGrant
	calls  []FederationCall
}

type signinGrant struct {
	creds   Issued
	expires time.Time
}

// signinTokenTTL is how long a sign-in URL works: "valid for 15 minutes
// after it is created" (IAM User Guide, custom identity broker access).
const signinTokenTTL = 15 * time.Minute

// NewFederation starts a federation endpoint that knows the credentials
// sts (and its portal) handed out.
func NewFederation(sts *Server) *Federation {
	f := &Federation{sts: sts, now: time.Now, tokens: map[string]signinGrant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/federation", f.serve)
	f.Server = httptest.NewServer(mux)
	return f
}

// Endpoint is the federation endpoint's full URL, the value for
// AWSXC_SIGNIN_URL.
func (f *Federation) Endpoint() string { return f.URL + "/federation" }

// SetNow sets the clock for credential and token expiry.
func (f *Federation) SetNow(now func() time.Time) { f.mu.Lock(); f.now = now; f.mu.Unlock() }

// Calls returns a copy of the requests so far.
func (f *Federation) Calls() []FederationCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FederationCall(nil), f.calls...)
}

func (f *Federation) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		errorPage(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	r.ParseForm()
	call := FederationCall{Action: r.Form.Get("Action"), Method: r.Method}
	status, refusal := http.StatusOK, ""
	defer func() {
		call.Status, call.Refusal = status, refusal
		f.mu.Lock()
		f.calls = append(f.calls, call)
		f.mu.Unlock()
	}()
	switch call.Action {
	case "getSigninToken":
		call.SessionDuration = r.Form.Get("SessionDuration")
		var tok string
		tok, call.SessionID, call.Kind, refusal = f.getSigninToken(r.Form.Get("Session"), call.SessionDuration, r.Form.Has("SessionDuration"))
		if refusal != "" {
			status = http.StatusBadRequest
			errorPage(w, status, refusal)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"SigninToken": tok})
	case "login":
		call.Destination, call.Issuer = r.Form.Get("Destination"), r.Form.Get("Issuer")
		if refusal = f.login(r.Form.Get("SigninToken"), call.Destination); refusal != "" {
			status = http.StatusBadRequest
			errorPage(w, status, refusal)
			return
		}
		status = http.StatusFound
		http.Redirect(w, r, call.Destination, status)
	default:
		status, refusal = http.StatusBadRequest, "unknown Action"
		errorPage(w, status, refusal)
	}
}

// sessionJSON is the Session parameter: {"sessionId": access key id,
// "sessionKey": secret access key, "sessionToken": session token}.
type sessionJSON struct {
	SessionID    string `json:"sessionId"`
	SessionKey   string `json:"sessionKey"`
	SessionToken string `json:"sessionToken"`
}

func parseSession(s string) (sessionJSON, error) {
	var sess sessionJSON
	if err := json.Unmarshal([]byte(s), &sess); err != nil {
		return sess, errors.New("the Session is not a JSON object")
	}
	if sess.SessionID == "" || sess.SessionKey == "" {
		return sess, errors.New("the Session needs sessionId and sessionKey")
	}
	return sess, nil
}

// getSigninToken applies the endpoint's rules, from the IAM User Guide
// ("Enable custom identity broker access to the AWS console") and what
// the peers found:
//   - only temporary credentials: long-term keys are refused
//     (99designs/aws-vault#104);
//   - the three values must be credentials the fakes issued, unexpired;
//   - SessionDuration (900-43200) only with role credentials from an
//     AssumeRole signed by a long-term key; refused with GetFederationToken
//     credentials (User Guide: "Doing so will cause the operation to
//     fail"), with chained role sessions (aws-vault#77, quoting AWS), and,
//     conservatively, with SSO, web identity and login credentials
//     (gravitational/teleport#9792).
//
// GetSessionToken credentials get a token: the real endpoint refuses them
// only at login (aws-vault#1191).
func (f *Federation) getSigninToken(raw, duration string, hasDuration bool) (tok, akid string, kind Kind, refusal string) {
	sess, err := parseSession(raw)
	if err != nil {
		return "", "", KindUnknown, "Invalid credentials parameter: " + err.Error()
	}
	akid = sess.SessionID
	c, ok := f.sts.reg.get(akid)
	if !ok {
		return "", akid, KindUnknown, "Invalid credentials parameter: unknown credentials"
	}
	kind = c.Kind
	f.mu.Lock()
	now := f.now()
	f.mu.Unlock()
	switch {
	case c.Kind == KindLongTerm || sess.SessionToken == "":
		return "", akid, kind, "Invalid credentials parameter: long-term credentials cannot be federated"
	case c.SecretAccessKey != sess.SessionKey || c.SessionToken != sess.SessionToken:
		return "", akid, kind, "Invalid credentials parameter: the credentials do not match"
	case !now.Before(c.Expires):
		return "", akid, kind, "Invalid credentials parameter: the credentials have expired"
	}
	if hasDuration {
		secs, err := strconv.Atoi(duration)
		switch {
		case err != nil || secs < 900 || secs > 43200:
			return "", akid, kind, "Invalid SessionDuration: must be 900 to 43200 seconds"
		case c.Kind != KindRole:
			return "", akid, kind, "Invalid credentials parameter: SessionDuration is not allowed with " + c.Kind.String() + " credentials"
		}
	}
	tok = randToken("fakesignin-", 48)
	f.mu.Lock()
	f.tokens[tok] = signinGrant{creds: c, expires: now.Add(signinTokenTTL)}
	f.mu.Unlock()
	return tok, akid, kind, ""
}

// login checks the sign-in URL's token and destination.
func (f *Federation) login(tok, destination string) string {
	f.mu.Lock()
	s, ok := f.tokens[tok]
	now := f.now()
	f.mu.Unlock()
	if u, err := url.Parse(destination); err != nil || u.Scheme != "https" || u.Host == "" {
		return "Destination must be an https URL"
	}
	switch {
	case !ok:
		return "the sign-in token is invalid"
	case !now.Before(s.expires):
		return "the sign-in token has expired"
	case s.creds.Kind == KindSessionToken:
		return "Only federation tokens or assume role tokens may be used for federated login. Please contact your administrator."
	}
	return ""
}
