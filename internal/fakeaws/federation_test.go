package fakeaws

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

func stsClient(s *Server, akid, secret, token string) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL), Retryer: fastRetryer(),
		Credentials: credentials.NewStaticCredentialsProvider(akid, secret, token)})
}

func fromSTS(c *ststypes.Credentials) aws.Credentials {
	return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}
}

// getSigninToken asks the federation endpoint for a sign-in token as the
// peers do (aws-vault cli/login.go): GET with Action and Session, and
// SessionDuration when given.
func getSigninToken(t *testing.T, f *Federation, c aws.Credentials, duration string) (int, string) {
	t.Helper()
	sess, _ := json.Marshal(map[string]string{"sessionId": c.AccessKeyID, "sessionKey": c.SecretAccessKey, "sessionToken": c.SessionToken})
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(sess)}}
	if duration != "" {
		q.Set("SessionDuration", duration)
	}
	resp, err := http.Get(f.Endpoint() + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ SigninToken string }
	if resp.StatusCode == 200 {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, out.SigninToken
}

func loginURL(f *Federation, token, destination string) string {
	return f.Endpoint() + "?" + url.Values{"Action": {"login"}, "Issuer": {"awsxc"},
		"Destination": {destination}, "SigninToken": {token}}.Encode()
}

func TestFederationRules(t *testing.T) {
	t.Parallel()
	f := StartAll()
	defer f.Close()
	clk := newClock()
	f.SetNow(clk.Now)
	f.STS.AddUser("arn:aws:iam::123456789012:user/alice", "AKIAALICEEXAMPLE1234", "aliceSecret")
	user := stsClient(f.STS, "AKIAALICEEXAMPLE1234", "aliceSecret", "")

	ar, err := user.AssumeRole(bg(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/Admin"), RoleSessionName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	role := fromSTS(ar.Credentials)
	chainedOut, err := stsClient(f.STS, role.AccessKeyID, role.SecretAccessKey, role.SessionToken).AssumeRole(bg(),
		&sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::444455556666:role/Deploy"), RoleSessionName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	chained := fromSTS(chainedOut.Credentials)
	st, err := user.GetSessionToken(bg(), &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	sessionCreds := fromSTS(st.Credentials)
	ft, err := user.GetFederationToken(bg(), &sts.GetFederationTokenInput{Name: aws.String("awsxc-alice"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}}})
	if err != nil {
		t.Fatalf("GetFederationToken: %v", err)
	}
	if *ft.FederatedUser.Arn != "arn:aws:sts::123456789012:federated-user/awsxc-alice" {
		t.Errorf("federated user %s", *ft.FederatedUser.Arn)
	}
	if got := time.Until(*ft.Credentials.Expiration); got < 11*time.Hour {
		t.Errorf("federation token lasts %v, want the 12h default", got)
	}
	fed := fromSTS(ft.Credentials)
	tok := signedIn(t, f.OIDC)
	rc, err := sso.New(sso.Options{Region: "eu-west-1", BaseEndpoint: aws.String(f.STS.URL)}).GetRoleCredentials(bg(),
		&sso.GetRoleCredentialsInput{AccessToken: &tok, AccountId: aws.String("111122223333"), RoleName: aws.String("Admin")})
	if err != nil {
		t.Fatal(err)
	}
	ssoCreds := aws.Credentials{AccessKeyID: *rc.RoleCredentials.AccessKeyId, SecretAccessKey: *rc.RoleCredentials.SecretAccessKey,
		SessionToken: *rc.RoleCredentials.SessionToken}
	longTerm := aws.Credentials{AccessKeyID: "AKIAALICEEXAMPLE1234", SecretAccessKey: "aliceSecret"}
	tampered := role
	tampered.SecretAccessKey = "guessed"

	for _, tc := range []struct {
		name     string
		creds    aws.Credentials
		duration string
		want     int
	}{
		{"role", role, "", 200},
		{"role_with_duration", role, "43200", 200},
		{"role_duration_too_long", role, "43201", 400},
		{"role_duration_too_short", role, "899", 400},
		{"chained_role", chained, "", 200},
		{"chained_role_with_duration", chained, "3600", 400},
		{"sso_role", ssoCreds, "", 200},
		{"sso_role_with_duration", ssoCreds, "3600", 400},
		{"federation_token", fed, "", 200},
		{"federation_token_with_duration", fed, "3600", 400},
		{"session_token", sessionCreds, "", 200}, // refused at login, below
		{"long_term_key", longTerm, "", 400},
		{"unknown", aws.Credentials{AccessKeyID: "ASIANOBODY", SecretAccessKey: "x", SessionToken: "y"}, "", 400},
		{"tampered", tampered, "", 400},
	} {
		if got, _ := getSigninToken(t, f.Federation, tc.creds, tc.duration); got != tc.want {
			t.Errorf("%s: getSigninToken status %d, want %d", tc.name, got, tc.want)
		}
	}

	// login: a role's token redirects to Destination; a GetSessionToken
	// one shows the real endpoint's refusal.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, roleTok := getSigninToken(t, f.Federation, role, "")
	dest := "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
	resp, err := noRedirect.Get(loginURL(f.Federation, roleTok, dest))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != dest {
		t.Errorf("login: %d to %q, want 302 to the destination", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, sessTok := getSigninToken(t, f.Federation, sessionCreds, "")
	resp, _ = noRedirect.Get(loginURL(f.Federation, sessTok, dest))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "Only federation tokens or assume role tokens") {
		t.Errorf("login with GetSessionToken credentials: %d %s", resp.StatusCode, body)
	}
	// A sign-in URL lasts 15 minutes; credentials expire too.
	clk.Add(16 * time.Minute)
	resp, _ = noRedirect.Get(loginURL(f.Federation, roleTok, dest))
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("login after 16 minutes: %d, want 400", resp.StatusCode)
	}
	clk.Add(time.Hour)
	if got, _ := getSigninToken(t, f.Federation, role, ""); got != 400 {
		t.Errorf("expired role credentials: %d, want 400", got)
	}

	// The stand-in browser records the link and stops at the console.
	clk.Add(-time.Hour - 16*time.Minute)
	_, roleTok = getSigninToken(t, f.Federation, role, "")
	logFile, err := openBrowser(t, "follow", loginURL(f.Federation, roleTok, dest), true)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if got := readLines(t, logFile+".follow"); len(got) != 2 || !strings.HasPrefix(got[1], "stop "+dest) {
		t.Errorf("browser followed %q", got)
	}
	calls := f.Federation.Calls()
	if c := calls[len(calls)-1]; c.Action != "login" || c.Destination != dest || c.Issuer != "awsxc" || c.Status != 302 {
		t.Errorf("last call %+v", c)
	}
	for _, c := range calls {
		if c.Action == "getSigninToken" && c.SessionID == "" && c.Status == 200 {
			t.Errorf("call without a session id: %+v", c)
		}
	}
}

func TestGetFederationTokenRefusals(t *testing.T) {
	t.Parallel()
	s := New()
	defer s.Close()
	user := stsClient(s, "AKIAALICEEXAMPLE1234", "aliceSecret", "")
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode() + ": " + ae.ErrorMessage()
		}
		return "no API error"
	}
	in := func(name string) *sts.GetFederationTokenInput {
		return &sts.GetFederationTokenInput{Name: aws.String(name), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}
	}
	if _, err := user.GetFederationToken(bg(), in("awsxc-"+strings.Repeat("a", 27))); !strings.HasPrefix(code(err), "ValidationError") {
		t.Errorf("33-character name: %s", code(err))
	}
	if _, err := stsClient(s, "ASIATEMP", "x", "token").GetFederationToken(bg(), in("awsxc-alice")); code(err) != "AccessDenied: Cannot call GetFederationToken with session credentials" {
		t.Errorf("temporary credentials: %s", code(err))
	}
	s.RefuseFederation(FederationMFARequired)
	if _, err := user.GetFederationToken(bg(), in("awsxc-alice")); !strings.Contains(code(err), "with an explicit deny") {
		t.Errorf("MFA required: %s", code(err))
	}
	s.RefuseFederation(FederationDenied)
	if _, err := user.GetFederationToken(bg(), in("awsxc-alice")); !strings.Contains(code(err), "is not authorized to perform: sts:GetFederationToken") {
		t.Errorf("denied: %s", code(err))
	}
	s.RefuseFederation(FederationAllowed)
	if _, err := user.GetFederationToken(bg(), in("awsxc-alice")); err != nil {
		t.Errorf("allowed again: %v", err)
	}
	calls := s.Calls()
	if c := calls[len(calls)-1]; c.SignedBy != "AKIAALICEEXAMPLE1234" || c.Temporary || c.Form.Get("Name") != "awsxc-alice" {
		t.Errorf("recorded %+v", c)
	}
}

// TestCallerIdentity: GetCallerIdentity names the principal of the
// credentials that signed it, as STS does, so a client can tell a
// GetSessionToken session (its IAM user) from a role session.
func TestCallerIdentity(t *testing.T) {
	t.Parallel()
	s := New()
	defer s.Close()
	s.AddUser("arn:aws:iam::123456789012:user/alice", "AKIAALICEEXAMPLE1234", "aliceSecret")
	user := stsClient(s, "AKIAALICEEXAMPLE1234", "aliceSecret", "")
	ar, err := user.AssumeRole(bg(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/Admin"), RoleSessionName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := user.GetSessionToken(bg(), &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	ft, err := user.GetFederationToken(bg(), &sts.GetFederationTokenInput{Name: aws.String("awsxc-alice")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		c            aws.Credentials
		arn, account string
	}{
		{"user", aws.Credentials{AccessKeyID: "AKIAALICEEXAMPLE1234", SecretAccessKey: "aliceSecret"}, "arn:aws:iam::123456789012:user/alice", "123456789012"},
		{"role", fromSTS(ar.Credentials), "arn:aws:sts::111122223333:assumed-role/Admin/alice", "111122223333"},
		{"session_token", fromSTS(st.Credentials), "arn:aws:iam::123456789012:user/alice", "123456789012"},
		{"federation_token", fromSTS(ft.Credentials), "arn:aws:sts::123456789012:federated-user/awsxc-alice", "123456789012"},
		{"unknown_key", aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"}, "arn:aws:iam::123456789012:user/alice", "123456789012"},
	} {
		out, err := stsClient(s, tc.c.AccessKeyID, tc.c.SecretAccessKey, tc.c.SessionToken).GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if *out.Arn != tc.arn || *out.Account != tc.account {
			t.Errorf("%s: GetCallerIdentity = %s in %s, want %s in %s", tc.name, *out.Arn, *out.Account, tc.arn, tc.account)
		}
	}
}
