package signin

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/logincreds"
	"github.com/aws/aws-sdk-go-v2/service/signin"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

const aliceARN = "arn:aws:iam::123456789012:user/alice"

// loginFileRe is the aws login cache file, as json.dumps writes it.
var loginFileRe = regexp.MustCompile(`^\{"accessToken": \{"accessKeyId": "ASIALOGIN\d+EXAMPLE", "secretAccessKey": "loginSecret\d+", ` +
	`"sessionToken": "LOGINTOKEN\d+", "accountId": "123456789012", "expiresAt": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}, ` +
	`"tokenType": "aws_sigv4", "clientId": "arn:aws:signin:::devtools/(same|cross)-device", "refreshToken": "fakeloginrefresh-[\w-]+", ` +
	`"idToken": "[\w-]+\.[\w-]+\.[\w-]+", "dpopKey": "-----BEGIN EC PRIVATE KEY-----\\n([A-Za-z0-9+/=]{1,64}\\n)+-----END EC PRIVATE KEY-----\\n"\}$`)

func loginWorld(t *testing.T) (*world, Session) {
	t.Helper()
	w := newWorld(t)
	w.c.LoginCacheDir = filepath.Join(w.home, "login-cache")
	s := w.session(t, "console")
	if s.Kind != KindLogin || s.Name != aliceARN || s.Region != "eu-west-1" {
		t.Fatalf("session %+v", s)
	}
	return w, s
}

func TestLoginSameDevice(t *testing.T) {
	t.Parallel()
	w, s := loginWorld(t)
	b, p := &browser{decision: fakeaws.Allow}, newPrompts()
	res, err := SignIn(context.Background(), s, w.c, opts(b, p))
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	authRe := regexp.MustCompile(`^` + regexp.QuoteMeta(w.f.Signin.URL) + `/v1/authorize\?response_type=code` +
		`&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device&state=[0-9a-f-]{36}&code_challenge_method=SHA-256` +
		`&scope=openid&redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Foauth%2Fcallback&code_challenge=[\w-]{43}$`)
	if pr := p.all(); len(pr) != 1 || !authRe.MatchString(pr[0].URL) {
		t.Errorf("prompt %+v", pr)
	}
	path := res.Status.Path
	if path != filepath.Join(w.c.LoginCacheDir, sha256HexForTest(aliceARN)+".json") || !res.Status.Refreshable {
		t.Errorf("status %+v", res.Status)
	}
	data := readFile(t, path)
	if !loginFileRe.MatchString(data) || !strings.Contains(data, "same-device") {
		t.Errorf("cache file:\n%s", data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}

	// The Go SDK's logincreds reads the session; once the credentials
	// expire, it refreshes them with our key's DPoP proofs.
	lp := logincreds.New(signin.New(signin.Options{Region: "eu-west-1", BaseEndpoint: aws.String(w.f.Signin.URL)}), path)
	creds, err := lp.Retrieve(context.Background())
	if err != nil || creds.AccountID != "123456789012" || !strings.HasPrefix(creds.AccessKeyID, "ASIALOGIN") {
		t.Fatalf("logincreds: %v %+v", err, creds)
	}
	o, _ := readObject(path)
	at, _ := o.obj("accessToken")
	at.set("expiresAt", time.Now().Add(-time.Minute).UTC().Format(cacheTimeFormat))
	o.set("accessToken", at)
	writeObject(path, o)
	if again, err := lp.Retrieve(context.Background()); err != nil || again.AccessKeyID == creds.AccessKeyID {
		t.Fatalf("logincreds refresh: %v %+v", err, again)
	}
	if calls := w.f.Signin.Calls(); calls[len(calls)-1].GrantType != "refresh_token" || calls[len(calls)-1].Exception != "" {
		t.Errorf("the SDK's refresh: %+v", calls[len(calls)-1])
	}
}

func sha256HexForTest(s string) string {
	path, _ := Config{LoginCacheDir: "/x"}.tokenPath(Session{Kind: KindLogin, Name: s})
	return strings.TrimSuffix(filepath.Base(path), ".json")
}

func TestLoginRefreshFirst(t *testing.T) {
	t.Parallel()
	w, s := loginWorld(t)
	b := &browser{decision: fakeaws.Allow}
	if _, err := SignIn(context.Background(), s, w.c, opts(b, nil)); err != nil {
		t.Fatal(err)
	}
	st, _ := StatusOf(s, w.c)
	path := st.Path
	before := readFile(t, path)
	// Four minutes left: inside aws login's 5-minute window.
	o, _ := readObject(path)
	at, _ := o.obj("accessToken")
	at.set("expiresAt", time.Now().Add(4*time.Minute).UTC().Format(cacheTimeFormat))
	o.set("accessToken", at)
	writeObject(path, o)
	res, err := SignIn(context.Background(), s, w.c, opts(b, nil))
	if err != nil || res.How != Refreshed || len(b.opened()) != 1 {
		t.Fatalf("SignIn: %v %+v", err, res)
	}
	after := readFile(t, path)
	if !loginFileRe.MatchString(after) || after == before {
		t.Errorf("refreshed file:\n%s", after)
	}
	// The key, the client and the id token stay.
	ob, _ := parseObject([]byte(before))
	oa, _ := parseObject([]byte(after))
	for _, k := range []string{"dpopKey", "clientId", "idToken", "tokenType"} {
		if ob.str(k) != oa.str(k) {
			t.Errorf("%s changed", k)
		}
	}

	// The login session ended: the refresh is refused, the user signs in.
	w.f.Signin.EndSessions()
	o, _ = readObject(path)
	at, _ = o.obj("accessToken")
	at.set("expiresAt", time.Now().Add(-time.Minute).UTC().Format(cacheTimeFormat))
	o.set("accessToken", at)
	writeObject(path, o)
	if res, err := SignIn(context.Background(), s, w.c, opts(b, nil)); err != nil || res.How != SignedIn || len(b.opened()) != 2 {
		t.Errorf("after the session ended: %v %+v", err, res)
	}
}

func TestLoginCrossDevice(t *testing.T) {
	t.Parallel()
	w, s := loginWorld(t)
	p := newPrompts()
	o := opts(nil, p)
	o.Flow = FlowDevice
	o.ReadCode = func(ctx context.Context) (string, error) {
		pr := <-p.ch
		if !pr.ReadsCode || pr.Flow != FlowDevice || !strings.Contains(pr.URL, "cross-device") ||
			!strings.Contains(pr.URL, "redirect_uri="+pctEncodeOne(w.f.Signin.URL+loginConfirmation)) {
			t.Errorf("prompt %+v", pr)
		}
		// The user opens the URL on another device and copies the code
		// the confirmation page shows.
		return confirmationCode(t, pr.URL)
	}
	res, err := SignIn(context.Background(), s, w.c, o)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if data := readFile(t, res.Status.Path); !loginFileRe.MatchString(data) || !strings.Contains(data, "cross-device") {
		t.Errorf("cache file:\n%s", data)
	}

	// A code for another sign-in (its state differs) is refused.
	o.Force = true
	o.ReadCode = func(ctx context.Context) (string, error) {
		<-p.ch
		return base64.StdEncoding.EncodeToString([]byte("state=forged&code=fakelogincode-x")), nil
	}
	if _, err := SignIn(context.Background(), s, w.c, o); !errors.Is(err, ErrStateMismatch) {
		t.Errorf("forged code: %v", err)
	}
	o.ReadCode = nil
	if _, err := SignIn(context.Background(), s, w.c, o); !errors.Is(err, ErrConfig) {
		t.Errorf("no ReadCode: %v", err)
	}
}

func pctEncodeOne(s string) string {
	var b strings.Builder
	pctEscape(&b, s)
	return b.String()
}

// confirmationCode follows the authorize URL to the cross-device
// confirmation page and returns the code it shows.
func confirmationCode(t *testing.T, u string) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set(fakeaws.DecisionHeader, string(fakeaws.Allow))
	resp, err := http.DefaultClient.Do(req) // follows the redirect to the confirmation page
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`<pre id=code>([^<]+)</pre>`).FindSubmatch(body)
	if m == nil {
		t.Errorf("confirmation page: %s", body)
		return "", errors.New("no code on the page")
	}
	return string(m[1]), nil
}

func TestLoginErrors(t *testing.T) {
	t.Parallel()
	w, s := loginWorld(t)
	if _, err := SignIn(context.Background(), s, w.c, opts(&browser{decision: fakeaws.Deny}, nil)); !errors.Is(err, ErrDenied) {
		t.Errorf("denied: %v", err)
	}
	if _, err := SignIn(context.Background(), s, w.c, opts(&browser{decision: fakeaws.WrongState}, nil)); !errors.Is(err, ErrStateMismatch) {
		t.Errorf("wrong state: %v", err)
	}
	if n := w.f.Signin.Count("CreateOAuth2Token/authorization_code"); n != 0 {
		t.Errorf("codes redeemed: %d", n)
	}

	// Another principal signed in than login_session names.
	w.f.Signin.SetSessionArn("arn:aws:iam::123456789012:user/bob")
	_, err := SignIn(context.Background(), s, w.c, opts(&browser{decision: fakeaws.Allow}, nil))
	if !errors.Is(err, ErrSessionMismatch) || !strings.Contains(err.Error(), "login_session = arn:aws:iam::123456789012:user/bob") {
		t.Errorf("mismatch: %v", err)
	}
	if st, _ := StatusOf(s, w.c); st.SignedIn {
		t.Error("a mismatched session was cached")
	}

	// The service refuses our use of the AWS CLI's client: the error says
	// to use the AWS CLI.
	w.f.Signin.SetSessionArn(aliceARN)
	w.f.Signin.Fail("INVALID_REQUEST")
	_, err = SignIn(context.Background(), s, w.c, opts(&browser{decision: fakeaws.Allow}, nil))
	if !errors.Is(err, ErrDenied) || !strings.HasSuffix(err.Error(), "; sign in with the AWS CLI instead: aws login --profile console") {
		t.Errorf("refused client: %v", err)
	}
}

func TestLoginSignOut(t *testing.T) {
	t.Parallel()
	w, s := loginWorld(t)
	if _, err := SignIn(context.Background(), s, w.c, opts(&browser{decision: fakeaws.Allow}, nil)); err != nil {
		t.Fatal(err)
	}
	res, err := SignOut(context.Background(), s, w.c)
	if err != nil || len(res.Files) != 1 || w.f.STS.Count("Logout") != 0 {
		t.Errorf("SignOut: %v %+v", err, res)
	}
	if st, _ := StatusOf(s, w.c); st.SignedIn {
		t.Error("still signed in")
	}
}
