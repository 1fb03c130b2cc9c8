package fakeaws

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The fakes' handlers take anything a client sends: no panic, and no 5xx
// (a fake that answers 500 would make the SDKs retry and hide the bug).

func serveFuzz(t *testing.T, h http.HandlerFunc, method, target, body string, hdr map[string]string) {
	t.Helper()
	if !strings.HasPrefix(target, "/") {
		target = "/" + target
	}
	req, err := http.NewRequest(method, "http://fake"+target, strings.NewReader(body))
	if err != nil {
		return
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s: status %d", method, target, rec.Code)
	}
}

func FuzzOIDCHandler(f *testing.F) {
	f.Add("POST", "/client/register", `{"clientName":"x","clientType":"public","grantTypes":["authorization_code"],"redirectUris":["http://127.0.0.1/oauth/callback"],"issuerUrl":"https://x.awsapps.com/start"}`)
	f.Add("POST", "/token", `{"clientId":"c","clientSecret":"s","grantType":"refresh_token","refreshToken":"r"}`)
	f.Add("POST", "/device_authorization", `{"clientId":"c","clientSecret":"s","startUrl":"https://x"}`)
	f.Add("GET", "/authorize?client_id=c&redirect_uri=http://127.0.0.1:1/cb&state=s", "")
	f.Add("POST", "/device", "user_code=ABCD-EFGH&decision=allow")
	o := NewOIDC()
	defer o.Close()
	f.Fuzz(func(t *testing.T, method, target, body string) {
		serveFuzz(t, o.serve, method, target, body, map[string]string{DecisionHeader: "allow"})
	})
}

func FuzzPortalHandler(f *testing.F) {
	f.Add("/assignment/roles?account_id=100000000000&max_result=2&next_token=MnxMaXN0", "tok")
	f.Add("/federation/credentials?account_id=1&role_name=r", "")
	s := New()
	defer s.Close()
	s.Portal().SetAccounts(GenerateAccounts(3, 2))
	f.Fuzz(func(t *testing.T, target, bearer string) {
		serveFuzz(t, s.serve, "GET", target, "", map[string]string{"X-Amz-Sso_bearer_token": bearer})
	})
}

func FuzzFederationHandler(f *testing.F) {
	f.Add("Action=getSigninToken&Session=%7B%22sessionId%22%3A%22a%22%2C%22sessionKey%22%3A%22b%22%2C%22sessionToken%22%3A%22c%22%7D&SessionDuration=900")
	f.Add("Action=login&SigninToken=x&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F")
	s := New()
	defer s.Close()
	fed := NewFederation(s)
	defer fed.Close()
	f.Fuzz(func(t *testing.T, query string) {
		serveFuzz(t, fed.serve, "GET", "/federation?"+query, "", nil)
		serveFuzz(t, fed.serve, "POST", "/federation", query, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	})
}

func FuzzSigninHandler(f *testing.F) {
	f.Add("POST", "/v1/token", `{"clientId":"arn:aws:signin:::devtools/same-device","grantType":"refresh_token","refreshToken":"r"}`, "a.b.c")
	f.Add("GET", "/v1/authorize?client_id=arn:aws:signin:::devtools/same-device&redirect_uri=http://127.0.0.1:1/oauth/callback", "", "")
	f.Add("GET", "/v1/sessions/confirmation?code=c&state=s", "", "")
	s := NewSignin(New())
	defer s.Close()
	f.Fuzz(func(t *testing.T, method, target, body, proof string) {
		serveFuzz(t, s.serve, method, target, body, map[string]string{"DPoP": proof})
	})
}

func FuzzPageToken(f *testing.F) {
	f.Add(pageToken(7, "ListAccounts/"), "ListAccounts/")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, tok, list string) {
		if n, ok := parsePageToken(tok, list); ok {
			if m, ok := parsePageToken(pageToken(n, list), list); !ok || m != n {
				t.Fatalf("round trip of %d: %d, %v", n, m, ok)
			}
		}
	})
}

func FuzzRedirectMatches(f *testing.F) {
	f.Add("http://127.0.0.1/oauth/callback", "http://127.0.0.1:4321/oauth/callback")
	f.Add("https://example.com/cb", "https://example.com/cb")
	f.Fuzz(func(t *testing.T, registered, given string) {
		if redirectMatches([]string{registered}, given) && !validRedirect(registered) && registered != given {
			t.Fatalf("%q matched the invalid registration %q", given, registered)
		}
	})
}
