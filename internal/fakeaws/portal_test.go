package fakeaws

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/google/go-cmp/cmp"
)

// signedIn returns a live access token from f's OIDC fake.
func signedIn(t *testing.T, o *OIDC) string {
	t.Helper()
	c := newOIDCClient(o)
	reg := registerDevice(t, c)
	dev, err := c.StartDeviceAuthorization(bg(), &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId,
		ClientSecret: reg.ClientSecret, StartUrl: aws.String(testStartURL)})
	if err != nil {
		t.Fatal(err)
	}
	o.ApproveDevice(*dev.UserCode)
	tok, err := pollDevice(c, reg, dev)
	if err != nil {
		t.Fatal(err)
	}
	return *tok.AccessToken
}

func TestPortalListsPaginateAndRetry(t *testing.T) {
	t.Parallel()
	f := StartAll()
	defer f.Close()
	p := f.STS.Portal()
	p.SetAccounts(GenerateAccounts(100, 3))
	tok := signedIn(t, f.OIDC)
	c := sso.New(sso.Options{Region: "eu-west-1", BaseEndpoint: aws.String(f.STS.URL), Retryer: fastRetryer()})

	p.Throttle(2) // two 429s the SDK retries without the caller seeing them
	type role struct{ Account, Name, Role string }
	var got []role
	accounts := sso.NewListAccountsPaginator(c, &sso.ListAccountsInput{AccessToken: &tok, MaxResults: aws.Int32(7)})
	for accounts.HasMorePages() {
		page, err := accounts.NextPage(bg())
		if err != nil {
			t.Fatalf("ListAccounts: %v", err)
		}
		for _, a := range page.AccountList {
			roles := sso.NewListAccountRolesPaginator(c, &sso.ListAccountRolesInput{AccessToken: &tok,
				AccountId: a.AccountId, MaxResults: aws.Int32(2)})
			for roles.HasMorePages() {
				rp, err := roles.NextPage(bg())
				if err != nil {
					t.Fatalf("ListAccountRoles: %v", err)
				}
				for _, r := range rp.RoleList {
					got = append(got, role{*r.AccountId, *a.AccountName, *r.RoleName})
				}
			}
		}
	}
	var want []role
	for _, a := range GenerateAccounts(100, 3) {
		for _, r := range a.Roles {
			want = append(want, role{a.ID, a.Name, r})
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	// 15 pages of accounts (100 by 7) and 2 retried 429s; 2 pages of
	// roles per account.
	if n := f.STS.Count("ListAccounts"); n != 17 {
		t.Errorf("ListAccounts calls = %d, want 17", n)
	}
	if n := f.STS.Count("ListAccountRoles"); n != 200 {
		t.Errorf("ListAccountRoles calls = %d, want 200", n)
	}

	// More 429s than the retryer's three attempts: the caller sees it.
	p.Throttle(5)
	var throttled *types.TooManyRequestsException
	if _, err := c.ListAccounts(bg(), &sso.ListAccountsInput{AccessToken: &tok}); !errors.As(err, &throttled) {
		t.Errorf("sustained throttling: %v, want TooManyRequestsException", err)
	}
	p.Throttle(0)

	// Throttling in the middle: two calls answered, then one 429.
	p.ThrottleAfter(2, 1)
	for i := range 3 {
		if _, err := c.ListAccounts(bg(), &sso.ListAccountsInput{AccessToken: &tok}, func(o *sso.Options) { o.RetryMaxAttempts = 1 }); (err != nil) != (i == 2) {
			t.Errorf("ThrottleAfter(2, 1), call %d: %v", i+1, err)
		}
	}
	if _, err := c.ListAccounts(bg(), &sso.ListAccountsInput{AccessToken: &tok}); err != nil {
		t.Errorf("after the throttled call: %v", err)
	}
	var invalid *types.InvalidRequestException
	if _, err := c.ListAccounts(bg(), &sso.ListAccountsInput{AccessToken: &tok, NextToken: aws.String("bogus")}); !errors.As(err, &invalid) {
		t.Errorf("bad next token: %v, want InvalidRequestException", err)
	}
	var unauthorized *types.UnauthorizedException
	if _, err := c.ListAccounts(bg(), &sso.ListAccountsInput{AccessToken: aws.String("not-a-token")}); !errors.As(err, &unauthorized) {
		t.Errorf("unknown token: %v, want UnauthorizedException", err)
	}

	// Logout ends the session: the token stops working everywhere.
	if _, err := c.Logout(bg(), &sso.LogoutInput{AccessToken: &tok}); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if f.OIDC.ValidAccessToken(tok) {
		t.Error("the token outlived Logout")
	}
	if _, err := c.ListAccounts(bg(), &sso.ListAccountsInput{AccessToken: &tok}); !errors.As(err, &unauthorized) {
		t.Errorf("after Logout: %v, want UnauthorizedException", err)
	}
}

func TestPortalUnlinkedAcceptsAnyToken(t *testing.T) {
	t.Parallel()
	s := New()
	defer s.Close()
	c := sso.New(sso.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL), Retryer: fastRetryer()})
	out, err := c.GetRoleCredentials(bg(), &sso.GetRoleCredentialsInput{AccessToken: aws.String("anything"),
		AccountId: aws.String("111122223333"), RoleName: aws.String("Admin")})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := s.Issued(*out.RoleCredentials.AccessKeyId); !ok || got.Kind != KindSSORole {
		t.Errorf("Issued = %+v, %v; want an sso-role record", got, ok)
	}
	var unauthorized *types.UnauthorizedException
	if _, err := c.GetRoleCredentials(bg(), &sso.GetRoleCredentialsInput{AccessToken: aws.String(""),
		AccountId: aws.String("111122223333"), RoleName: aws.String("Admin")}); !errors.As(err, &unauthorized) {
		t.Errorf("empty token: %v, want UnauthorizedException", err)
	}
}
