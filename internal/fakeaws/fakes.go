package fakeaws

import "time"

// Fakes is every fake, started and wired together: the portal accepts only
// the OIDC fake's live access tokens, and the federation endpoint and the
// signin service share STS's record of what was issued.
type Fakes struct {
	STS        *Server // STS, and the SSO portal on the same URL (STS.Portal())
	OIDC       *OIDC
	Federation *Federation
	Signin     *Signin
}

// StartAll starts every fake on its own loopback port. Close it when done.
func StartAll() *Fakes {
	f := &Fakes{STS: New(), OIDC: NewOIDC()}
	f.STS.Portal().Link(f.OIDC)
	f.Federation = NewFederation(f.STS)
	f.Signin = NewSignin(f.STS)
	return f
}

// SetNow sets one clock for every fake.
func (f *Fakes) SetNow(now func() time.Time) {
	f.STS.SetNow(now)
	f.OIDC.SetNow(now)
	f.Federation.SetNow(now)
	f.Signin.SetNow(now)
}

// Close stops every fake.
func (f *Fakes) Close() {
	f.STS.Close()
	f.OIDC.Close()
	f.Federation.Close()
	f.Signin.Close()
}

// Env returns the environment that points the AWS SDKs (and awsxc's
// console link) at the fakes. The SDKs read AWS_ENDPOINT_URL_<service id>
// with the service id upper-cased and spaces turned into underscores (Go
// SDK config/env_config.go; botocore 1.31 and later; the AWS CLI from
// 2.13): "STS", "SSO", "SSO OIDC", "Signin".
func (f *Fakes) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_STS":      f.STS.URL,
		"AWS_ENDPOINT_URL_SSO":      f.STS.URL,
		"AWS_ENDPOINT_URL_SSO_OIDC": f.OIDC.URL,
		"AWS_ENDPOINT_URL_SIGNIN":   f.Signin.URL,
		"AWSXC_SIGNIN_URL":          f.Federation.Endpoint(),
	}
}
