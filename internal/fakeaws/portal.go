package fakeaws

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Account is one AWS account assigned to the signed-in user, with the
// roles (permission sets) the user may use in it.
type Account struct {
	ID    string
	Name  string
	Email string
	Roles []string
}

// Portal is the IAM Identity Center portal API (service "SSO"):
// GetRoleCredentials, ListAccounts, ListAccountRoles and Logout, in the
// restJson1 protocol with the bearer token in x-amz-sso_bearer_token. It
// answers on its Server's URL (AWS_ENDPOINT_URL_SSO).
type Portal struct {
	srv *Server

	mu            sync.Mutex // protects the fields below
	oidc          *OIDC      // when set, bearer tokens must be its live access tokens
	accounts      []Account  // when empty, GetRoleCredentials answers for any account and role
	throttle      int        // the next this many list calls answer 429 (after throttleAfter more)
	throttleAfter int        // list calls still answered before the throttled ones
	pageSize      int        // page size when the request gives no max_result
	loggedOut     map[string]bool
}

func newPortal(s *Server) *Portal {
	return &Portal{srv: s, pageSize: 20, loggedOut: map[string]bool{}}
}

// Link makes the portal accept only bearer tokens that o issued and that
// are still live (not expired, not revoked by Logout). Unlinked, any
// non-empty token is accepted.
func (p *Portal) Link(o *OIDC) { p.mu.Lock(); p.oidc = o; p.mu.Unlock() }

// SetAccounts sets the accounts and roles assigned to the user. With
// accounts set, GetRoleCredentials for anything else answers
// ForbiddenException "No access", as the real portal does.
func (p *Portal) SetAccounts(a []Account) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.accounts = append([]Account(nil), a...)
}

// Accounts returns a copy of the assigned accounts.
func (p *Portal) Accounts() []Account {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Account(nil), p.accounts...)
}

// GenerateAccounts returns n accounts (ids 100000000000 upwards, names
// "account-000" upwards) with rolesPerAccount roles each ("Role00", ...),
// for sync tests; pass them to SetAccounts.
func GenerateAccounts(n, rolesPerAccount int) []Account {
	out := make([]Account, n)
	for i := range out {
		a := Account{ID: strconv.Itoa(100000000000 + i), Name: fmt.Sprintf("account-%03d", i),
			Email: fmt.Sprintf("aws+%03d@example.com", i)}
		for j := 0; j < rolesPerAccount; j++ {
			a.Roles = append(a.Roles, fmt.Sprintf("Role%02d", j))
		}
		out[i] = a
	}
	return out
}

// Throttle makes the next n ListAccounts/ListAccountRoles calls answer
// 429 TooManyRequestsException, which the SDKs retry.
func (p *Portal) Throttle(n int) { p.ThrottleAfter(0, n) }

// ThrottleAfter answers the next after ListAccounts/ListAccountRoles
// calls and makes the n after them answer 429 TooManyRequestsException:
// a throttling reply in the middle of a listing.
func (p *Portal) ThrottleAfter(after, n int) {
	p.mu.Lock()
	p.throttleAfter, p.throttle = after, n
	p.mu.Unlock()
}

// SetPageSize sets the page size used when a list call gives no
// max_result (default 20).
func (p *Portal) SetPageSize(n int) { p.mu.Lock(); p.pageSize = n; p.mu.Unlock() }

func (p *Portal) handles(r *http.Request) bool {
	switch r.URL.Path {
	case "/federation/credentials", "/assignment/accounts", "/assignment/roles":
		return r.Method == http.MethodGet
	case "/logout":
		return r.Method == http.MethodPost
	}
	return false
}

func (p *Portal) serve(w http.ResponseWriter, r *http.Request) {
	signedBy, temporary := signer(r)
	q := r.URL.Query()
	bearer := r.Header.Get("X-Amz-Sso_bearer_token")
	action := map[string]string{"/federation/credentials": "GetRoleCredentials",
		"/assignment/accounts": "ListAccounts", "/assignment/roles": "ListAccountRoles", "/logout": "Logout"}[r.URL.Path]
	n, st := p.srv.record(Call{Action: action, SignedBy: signedBy, Temporary: temporary, Form: q, BearerSSO: bearer})

	if st.fail != "" || !p.tokenOK(bearer) {
		writePortalError(w, http.StatusUnauthorized, "UnauthorizedException", "Session token not found or invalid")
		return
	}
	switch action {
	case "Logout":
		p.logout(bearer)
		w.WriteHeader(http.StatusOK)
		return
	case "ListAccounts", "ListAccountRoles":
		p.mu.Lock()
		throttled := false
		switch {
		case p.throttleAfter > 0:
			p.throttleAfter--
		case p.throttle > 0:
			p.throttle--
			throttled = true
		}
		p.mu.Unlock()
		if throttled {
			writePortalError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded")
			return
		}
		p.list(w, action, q)
		return
	}

	account, role := q.Get("account_id"), q.Get("role_name")
	if account == "" || role == "" {
		writePortalError(w, http.StatusBadRequest, "InvalidRequestException", "account_id and role_name are required")
		return
	}
	if !p.assigned(account, role) {
		writePortalError(w, http.StatusForbidden, "ForbiddenException", "No access")
		return
	}
	c := Issued{Kind: KindSSORole, AccessKeyID: fmt.Sprintf("ASIASSO%04dEXAMPLE", n),
		SecretAccessKey: fmt.Sprintf("ssoSecret%d", n), SessionToken: fmt.Sprintf("SSOTOKEN%d", n),
		Expires: st.now.Add(st.dur),
		Arn:     fmt.Sprintf("arn:aws:sts::%s:assumed-role/AWSReservedSSO_%s_0123456789abcdef/alice", account, role)}
	p.srv.reg.add(c)
	writeJSON(w, http.StatusOK, map[string]any{"roleCredentials": map[string]any{
		"accessKeyId":     c.AccessKeyID,
		"secretAccessKey": c.SecretAccessKey,
		"sessionToken":    c.SessionToken,
		"expiration":      c.Expires.UnixMilli(),
	}})
}

func (p *Portal) tokenOK(bearer string) bool {
	if bearer == "" {
		return false
	}
	p.mu.Lock()
	o, out := p.oidc, p.loggedOut[bearer]
	p.mu.Unlock()
	if o != nil {
		return o.ValidAccessToken(bearer)
	}
	return !out
}

func (p *Portal) logout(bearer string) {
	p.mu.Lock()
	o := p.oidc
	p.loggedOut[bearer] = true
	p.mu.Unlock()
	if o != nil {
		o.endSession(bearer)
	}
}

func (p *Portal) assigned(account, role string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.accounts) == 0 {
		return true
	}
	for _, a := range p.accounts {
		if a.ID == account {
			for _, r := range a.Roles {
				if r == role {
					return true
				}
			}
		}
	}
	return false
}

// list answers one page of ListAccounts or ListAccountRoles. The
// next_token is opaque to clients; here it is the offset of the next
// item, bound to the list it came from.
func (p *Portal) list(w http.ResponseWriter, action string, q map[string][]string) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	p.mu.Lock()
	size := p.pageSize
	accounts := p.accounts
	p.mu.Unlock()
	if v := get("max_result"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 1 || m > 100 {
			writePortalError(w, http.StatusBadRequest, "InvalidRequestException", "max_result must be between 1 and 100")
			return
		}
		size = m
	}
	listID := action + "/" + get("account_id")
	start := 0
	if tok := get("next_token"); tok != "" {
		var ok bool
		if start, ok = parsePageToken(tok, listID); !ok {
			writePortalError(w, http.StatusBadRequest, "InvalidRequestException", "Invalid next token")
			return
		}
	}
	var items []map[string]string
	switch action {
	case "ListAccounts":
		for _, a := range accounts {
			items = append(items, map[string]string{"accountId": a.ID, "accountName": a.Name, "emailAddress": a.Email})
		}
	default:
		account := get("account_id")
		if account == "" {
			writePortalError(w, http.StatusBadRequest, "InvalidRequestException", "account_id is required")
			return
		}
		for _, a := range accounts {
			if a.ID == account {
				for _, r := range a.Roles {
					items = append(items, map[string]string{"accountId": a.ID, "roleName": r})
				}
			}
		}
	}
	if start > len(items) {
		start = len(items)
	}
	end := min(start+size, len(items))
	out := map[string]any{}
	key := "accountList"
	if action == "ListAccountRoles" {
		key = "roleList"
	}
	out[key] = append([]map[string]string{}, items[start:end]...)
	if end < len(items) {
		out["nextToken"] = pageToken(end, listID)
	}
	writeJSON(w, http.StatusOK, out)
}

func pageToken(offset int, listID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "|" + listID))
}

func parsePageToken(tok, listID string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	off, id, ok := strings.Cut(string(b), "|")
	if !ok || id != listID {
		return 0, false
	}
	n, err := strconv.Atoi(off)
	return n, err == nil && n >= 0
}
