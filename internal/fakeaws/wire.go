package fakeaws

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
)

// The coral namespaces the real services put after the error type in
// X-Amzn-Errortype (aws/aws-cli#5955 shows the OIDC one); both SDKs cut the
// header at the first colon.
const (
	oidcErrorNS   = ":http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
	portalErrorNS = ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"
)

// maxBody bounds every request body the fakes read.
const maxBody = 1 << 20

// writeJSON answers 200 (or status) with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeOIDCError answers the way IAM Identity Center OIDC does: the
// exception in X-Amzn-Errortype and an OAuth error body,
// {"error":"authorization_pending","error_description":"..."}.
func writeOIDCError(w http.ResponseWriter, status int, exception, oauthError, desc string) {
	w.Header().Set("X-Amzn-Errortype", exception+oidcErrorNS)
	writeJSON(w, status, map[string]string{"error": oauthError, "error_description": desc})
}

// writePortalError answers the way the SSO portal does:
// {"message":"..."} with the exception in X-Amzn-Errortype.
func writePortalError(w http.ResponseWriter, status int, exception, msg string) {
	w.Header().Set("X-Amzn-Errortype", exception+portalErrorNS)
	writeJSON(w, status, map[string]string{"message": msg})
}

// readJSON decodes a bounded JSON request body into v.
func readJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return err
	}
	if len(b) == 0 {
		b = []byte("{}")
	}
	return json.Unmarshal(b, v)
}

// randToken returns n random bytes, base64url without padding, prefixed.
func randToken(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Decision is what a stand-in user answers on a sign-in page.
type Decision string

// The answers a user can give. The stand-in browser sends its answer in
// the DecisionHeader; without one, a fake uses its default (Allow).
const (
	Allow      Decision = "allow"       // sign in and consent
	Deny       Decision = "deny"        // refuse (OAuth error=access_denied)
	WrongState Decision = "wrong-state" // consent, but the redirect carries a different state (a forged callback)
)

// DecisionHeader carries a stand-in browser's Decision to the fakes'
// authorize and verification pages.
const DecisionHeader = "X-Fakeaws-Decision"

func parseDecision(v string, def Decision) Decision {
	switch d := Decision(v); d {
	case Allow, Deny, WrongState:
		return d
	}
	return def
}
