package fakeaws

import (
	"os"
	"path/filepath"
	"testing"
)

// Isolate starts a fake endpoint for the test and points the AWS SDK of
// this process at it and at a fresh config and credentials file holding
// config and creds: it sets HOME, AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE, AWS_ENDPOINT_URL_STS and _SSO, and clears
// every other variable that could leak the machine's own AWS setup into
// the test. It uses t.Setenv, so the test cannot be parallel.
func Isolate(t testing.TB, config, creds string) *Server {
	t.Helper()
	dir := t.TempDir()
	cf := filepath.Join(dir, "config")
	kf := filepath.Join(dir, "credentials")
	if err := os.WriteFile(cf, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kf, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	fake := New()
	t.Cleanup(fake.Close)
	for k, v := range map[string]string{
		"HOME":                                   dir,
		"AWS_CONFIG_FILE":                        cf,
		"AWS_SHARED_CREDENTIALS_FILE":            kf,
		"AWS_ENDPOINT_URL_STS":                   fake.URL,
		"AWS_ENDPOINT_URL_SSO":                   fake.URL,
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT":      "",
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_REGION":                             "",
		"AWS_DEFAULT_REGION":                     "",
		"AWS_ACCESS_KEY_ID":                      "",
		"AWS_SECRET_ACCESS_KEY":                  "",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN":      "",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "",
		"AWS_CA_BUNDLE":                          "",
	} {
		t.Setenv(k, v)
	}
	return fake
}
