package console

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/lazyre"
)

var (
	accountIDRe = lazyre.New(`^[0-9]{12}$`)
	// roleNameRe is an IAM role name (a permission set's name): 1 to 64
	// characters of [\w+=,.@-].
	roleNameRe = lazyre.New(`^[\w+=,.@-]{1,64}$`)
)

// portalURL is the access portal's console shortcut for an IAM Identity
// Center profile (IAM Identity Center User Guide, "Create shortcut
// links"): <start URL>/#/console?account_id=…&role_name=…&destination=…,
// the parameters in the fragment, so they reach no server in a request
// line. The browser's own portal session signs in (the portal asks for
// a sign-in first when it has none); nothing is fetched here and no
// credential leaves the machine. The console session follows the
// permission set's session duration.
func portalURL(p *engine.Profile, opts Options, log *slog.Logger) (*URL, error) {
	invalid := func(err error) error {
		return &engine.Error{Profile: p.Name, Kind: engine.ErrInvalidConfig, Err: err,
			Hint: "the portal's console shortcut needs sso_start_url (or an sso-session with one), sso_account_id and sso_role_name"}
	}
	start, account, role := p.SSOStartURL, p.SSOAccountID, p.SSORoleName
	switch {
	case start == "" || account == "" || role == "":
		return nil, invalid(errors.New("it has no start URL, account and role for the access portal"))
	case !accountIDRe().MatchString(account):
		return nil, invalid(fmt.Errorf("sso_account_id %q is not a 12-digit account id", account))
	case !roleNameRe().MatchString(role):
		return nil, invalid(fmt.Errorf("sso_role_name %q is not a role name", role))
	}
	base, err := portalBase(start)
	if err != nil {
		return nil, invalid(err)
	}
	if opts.Duration > 0 {
		log.Debug("the portal's console session follows the permission set's session duration", "profile", p.Name)
	}

	// The console page, when there is anything to say: without a region,
	// service or destination the portal chooses (the permission set's
	// relay state, else the console home).
	var dest string
	if opts.Destination != "" || opts.Service != "" || opts.Region != "" || p.Region != "" {
		pl, kind, err := place("", opts, p.Region, p.SSORegion, log)
		if err != nil {
			return nil, &engine.Error{Profile: p.Name, Kind: kind, Err: err}
		}
		if dest, err = destination(pl, opts); err != nil {
			return nil, &engine.Error{Profile: p.Name, Kind: ErrDestination, Err: err}
		}
	}
	q := url.Values{"account_id": {account}, "role_name": {role}}
	if dest != "" {
		q.Set("destination", dest)
	}
	link := base + "/#/console?" + q.Encode()
	u := &URL{link: &link, masked: link, Profile: p.Name, Method: Portal, Destination: dest,
		Partition: partitionID("", p.Region, p.SSORegion, opts.Region)}
	log.Debug("made an access portal console shortcut", "profile", p.Name, "link", u)
	return u, nil
}

// portalBase is a start URL without a fragment, query or trailing slash
// (https://d-1234567890.awsapps.com/start/#/ → …/start). It must be an
// https URL with a host and no user name.
func portalBase(start string) (string, error) {
	s, _, _ := strings.Cut(strings.TrimSpace(start), "#")
	s, _, _ = strings.Cut(s, "?")
	s = strings.TrimRight(s, "/")
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" ||
		strings.ContainsAny(s, "\\ \t\r\n") {
		return "", fmt.Errorf("start URL %s is not an https URL", quoteURL(start))
	}
	return u.String(), nil
}
