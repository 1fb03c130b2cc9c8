package signin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// echoOIDC is an OIDC endpoint that registers clients and then answers
// the operation at path echo with InvalidRequestException quoting the
// request body, as a careless service or a debugging proxy would.
func echoOIDC(t *testing.T, echo string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case echo:
			w.Header().Set("X-Amzn-Errortype", "InvalidRequestException")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":"invalid_request","error_description":%s}`, strconv.Quote("bad request: "+string(body)))
		case "/client/register":
			fmt.Fprintf(w, `{"clientId":"cid","clientSecret":"SECRETclientSECRET0123-abc_DEF-456","clientIdIssuedAt":%d,"clientSecretExpiresAt":%d}`,
				time.Now().Unix(), time.Now().Add(90*24*time.Hour).Unix())
		case "/device_authorization":
			fmt.Fprint(w, `{"deviceCode":"DEVICEcode-0123_abcd-EFGH_4567","userCode":"ABCD-EFGH","verificationUri":"https://device.example/","expiresIn":60,"interval":1}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestErrorsRedactTheServiceText: an OIDC error that quotes the request
// (its client secret, its device code) never reaches the error line
// whole (review 2, M2).
func TestErrorsRedactTheServiceText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, echo string }{
		{"start_device_authorization", "/device_authorization"},
		{"create_token", "/token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			srv := echoOIDC(t, tc.echo)
			cfg := readFile(t, w.c.Env.ConfigFile)
			cfg = strings.Replace(cfg, "sso_oidc =\n  endpoint_url = "+w.f.OIDC.URL, "sso_oidc =\n  endpoint_url = "+srv.URL, 1)
			if err := os.WriteFile(w.c.Env.ConfigFile, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			o := opts(nil, nil)
			o.Flow = FlowDevice
			_, err := SignIn(context.Background(), w.session(t, "dev"), w.c, o)
			if !errors.Is(err, ErrFailed) || !strings.Contains(err.Error(), "InvalidRequestException") {
				t.Fatalf("SignIn: %v, want the service's InvalidRequestException", err)
			}
			for _, secret := range []string{"SECRETclientSECRET0123", "abc_DEF-456", "DEVICEcode-0123_abcd-EFGH_4567"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error line holds %q: %v", secret, err)
				}
			}
		})
	}
}
