//go:build !darwin || cgo

package tray

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

// SSOStartURL is the start URL of the tests' sso-sessions.
const SSOStartURL = "https://d-1234567890.awsapps.com/start"

// SSOSignIn signs in to the OIDC fake o with the device code flow, as
// aws sso login does, and writes the token cache of sso-session session
// under home as the AWS CLI writes it (~/.aws/sso/cache/SHA1(session).json,
// 0600, botocore's field names, times in UTC with a Z): a session the
// tray finds signed in, whose token the portal linked to o accepts.
func SSOSignIn(t testing.TB, o *fakeaws.OIDC, home, session string) {
	t.Helper()
	ctx := context.Background()
	c := ssooidc.New(ssooidc.Options{Region: "eu-west-1", BaseEndpoint: aws.String(o.URL)})
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-" + session),
		ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(SSOStartURL)})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.ApproveDevice(*dev.UserCode); err != nil {
		t.Fatal(err)
	}
	tok, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	utc := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
	cache := map[string]string{
		"startUrl": SSOStartURL, "region": "eu-west-1", "accessToken": *tok.AccessToken,
		"expiresAt": utc(time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)),
		"clientId":  *reg.ClientId, "clientSecret": *reg.ClientSecret,
		"registrationExpiresAt": utc(time.Unix(reg.ClientSecretExpiresAt, 0)),
	}
	if tok.RefreshToken != nil {
		cache["refreshToken"] = *tok.RefreshToken
	}
	data, err := json.Marshal(cache)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(session))
	path := filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
