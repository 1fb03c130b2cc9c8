package console

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/awsxc/awsxc/engine"
)

// issuer is the login link's Issuer: free text naming the broker (aws-vault
// sends "aws-vault"), shown by the console when the session ends.
const issuer = "awsxc"

// maxSigninResponse bounds what is read of a getSigninToken answer (a
// JSON object with one token of a few hundred characters).
const maxSigninResponse = 64 << 10

// CheckEndpoint checks a federation endpoint given in place of the
// partition's (AWSXC_SIGNIN_URL): an absolute https URL with no user
// information, query or fragment; http only on a loopback address (a
// local fake), so that credentials never cross a network in clear.
func CheckEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("federation endpoint %q is not a URL", endpoint)
	}
	switch {
	case u.Host == "" || u.Opaque != "":
		return fmt.Errorf("federation endpoint %q is not an absolute URL", endpoint)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(endpoint, "?") || strings.Contains(endpoint, "#"):
		return fmt.Errorf("federation endpoint %q must have no user name, query or fragment", endpoint)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("federation endpoint %q must be https (http only on a loopback address)", endpoint)
}

// ForeignEndpoint returns the host of a federation endpoint given in
// place of the partition's (AWSXC_SIGNIN_URL) when it is neither an AWS
// sign-in host (signin.<domain>, or <region>.signin.<domain>, of a
// partition awsxc knows) nor a loopback address, and "" otherwise. Unlike
// an STS endpoint, which receives only signatures, the federation
// endpoint is sent the secret access key and the session token
// themselves, so a front end warns when they would go anywhere else (an
// .envrc can set the variable). An endpoint [CheckEndpoint] refuses
// gives "": it is never used.
func ForeignEndpoint(endpoint string) string {
	if CheckEndpoint(endpoint) != nil {
		return ""
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if loopback(host) {
		return ""
	}
	for _, p := range Partitions {
		if host == "signin."+p.Domain || (strings.HasSuffix(host, ".signin."+p.Domain) &&
			ValidRegion(strings.TrimSuffix(host, ".signin."+p.Domain))) {
			return ""
		}
	}
	return u.Hostname()
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// endpointDomain is the console domain a given federation endpoint
// implies: the part of its host after "signin." (signin.amazonaws.cn →
// amazonaws.cn, eu-west-1.signin.aws.amazon.com → aws.amazon.com), or ""
// when its host has no signin label (a local fake).
func endpointDomain(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	labels := strings.Split(strings.ToLower(u.Hostname()), ".")
	for i, l := range labels {
		if l == "signin" && len(labels)-i > 2 {
			return strings.Join(labels[i+1:], ".")
		}
	}
	return ""
}

// signinRequest asks for a sign-in token.
type signinRequest struct {
	endpoint  string
	partition string // the credentials' partition id, which decides the method
	creds     engine.Credentials
	duration  time.Duration // SessionDuration; 0 sends none
}

// postPartitions are the partitions whose federation endpoint is known to
// take getSigninToken as a POST with a form body: AWS's own AWS Toolkit
// for JetBrains does so in aws and aws-cn
// (aws/aws-toolkit-jetbrains, jetbrains-core/src/software/aws/toolkits/
// jetbrains/services/federation/AwsConsoleUrlFactory.kt, since PR #2958),
// and turns GovCloud away with "TODO: gov is not supported for POST-based
// federation yet". Peers tested live against GovCloud use GET (saml2aws
// PR #1429); for aws-eusc there is no evidence either way. So every other
// partition gets the documented GET (IAM User Guide, step 5).
var postPartitions = map[string]bool{"aws": true, "aws-cn": true}

// getSigninToken turns temporary credentials into a sign-in token at the
// federation endpoint (IAM User Guide, step 5). Where the endpoint is
// known to take it (see postPartitions) it POSTs the parameters as a
// form, rather than the documented GET: the Session holds the secret
// key, and a query string ends up in proxies' logs. Elsewhere it sends
// the GET. Either way neither the request, its URL (which then holds the
// secret) nor the answer's body is ever logged or quoted in an error.
func getSigninToken(ctx context.Context, hc *http.Client, r signinRequest) (string, error) {
	sess, err := json.Marshal(struct {
		SessionID    string `json:"sessionId"`
		SessionKey   string `json:"sessionKey"`
		SessionToken string `json:"sessionToken"`
	}{r.creds.AccessKeyID, r.creds.SecretAccessKey, r.creds.SessionToken})
	if err != nil {
		return "", err
	}
	form := url.Values{"Action": {"getSigninToken"}, "Session": {string(sess)}}
	if r.duration > 0 {
		form.Set("SessionDuration", strconv.Itoa(int(r.duration/time.Second)))
	}
	var req *http.Request
	if postPartitions[r.partition] {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint, strings.NewReader(form.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, r.endpoint+"?"+form.Encode(), nil)
	}
	if err != nil {
		// The endpoint was checked (CheckEndpoint): this names no part
		// of it.
		return "", errors.New("federation endpoint: cannot make the request")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", requestError(req.Method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSigninResponse))
	if err != nil {
		return "", fmt.Errorf("reading the answer: %w", requestError(req.Method, err))
	}
	if resp.StatusCode != http.StatusOK {
		return "", &statusError{code: resp.StatusCode}
	}
	var out struct {
		SigninToken string
	}
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		return "", errors.New("the answer holds no SigninToken")
	}
	return out.SigninToken, nil
}

// requestError is err, of a request to the federation endpoint, without
// the request's URL: a *url.Error names it, and a GET's holds the secret
// key. What is left says what failed (a refused connection, a
// certificate, a timeout), never the URL.
func requestError(method string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &endpointError{method: method, err: err}
}

// endpointError is a request to the federation endpoint that got no
// answer. Its cause never holds the request's URL (see requestError).
type endpointError struct {
	method string
	err    error
}

func (e *endpointError) Error() string {
	return e.method + " federation endpoint: " + e.err.Error()
}

func (e *endpointError) Unwrap() error { return e.err }

// statusError is a getSigninToken answer other than 200. Its body is not
// kept: the endpoint's error pages say little, and a log must not hold
// anything of the exchange.
type statusError struct{ code int }

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
}

// loginURL is the link a browser opens (IAM User Guide, step 6).
func loginURL(endpoint, destination, token string) string {
	return endpoint + "?" + url.Values{"Action": {"login"}, "Issuer": {issuer},
		"Destination": {destination}, "SigninToken": {token}}.Encode()
}

// httpClient is hc (or a default one) made never to follow a redirect:
// the credentials go to the endpoint named and nowhere else.
func httpClient(hc *http.Client) *http.Client {
	c := &http.Client{Timeout: 30 * time.Second}
	if hc != nil {
		*c = *hc
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// federationClient is the client getSigninToken calls the endpoint with:
// given, when the caller gave one; else one with the transport of the
// profile's own SDK configuration, so that the settings the SDK's calls
// to STS follow apply here too (ca_bundle and AWS_CA_BUNDLE behind a TLS
// interception proxy, the proxy settings), with a 30-second bound, never
// following a redirect.
func federationClient(ctx context.Context, p *engine.Profile, creds engine.Credentials, given *http.Client) (*http.Client, error) {
	if given != nil {
		return httpClient(given), nil
	}
	cfg, err := p.ClientConfig(ctx, creds)
	if err != nil {
		return nil, err
	}
	switch c := cfg.HTTPClient.(type) {
	case *awshttp.BuildableClient:
		return httpClient(&http.Client{Transport: c.GetTransport(), Timeout: cmp.Or(c.GetTimeout(), 30*time.Second)}), nil
	case *http.Client:
		return httpClient(c), nil
	}
	return httpClient(nil), nil
}
