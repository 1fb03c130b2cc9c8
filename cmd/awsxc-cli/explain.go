package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/signin"
	"github.com/awsxc/awsxc/internal/textsafe"
)

var explainCommand = &command{
	name:    "explain",
	usage:   "explain [--profile PROFILE]",
	summary: "say where a profile's credentials come from and whether they renew",
	new:     func() runner { return &explainCmd{} },
}

type explainCmd struct {
	profile profileFlag
	mfaCode string
}

func (e *explainCmd) flags() []flagSpec {
	return []flagSpec{
		e.profile.spec(),
		stringFlag("mfa-code", "CODE", "the MFA code, instead of a prompt", &e.mfaCode),
	}
}

// run says where a profile's credentials come from, what they are now
// and whether they refresh on their own: the answer to "why did it not
// refresh?".
func (e *explainCmd) run(ctx context.Context, c *cli, args parsed) error {
	if len(args.args) > 0 {
		return usagef("explain takes no arguments (use --profile)")
	}
	name := e.profile.choose(c)
	p, err := engine.Load(ctx, engine.Options{Env: c.env, Profile: name, MFA: c.mfaProvider(e.mfaCode, name), Logger: c.log, Timeout: c.timeout})
	if err != nil {
		return err
	}
	// Nothing reaches stdout unless all of it does.
	var out strings.Builder
	tw := tabwriter.NewWriter(&out, 0, 4, 2, ' ', 0)
	// What comes from the files (names, ARNs, commands, the region) is
	// shown escaped.
	esc := textsafe.Escape
	fmt.Fprintf(tw, "profile\t%s\n", esc(p.Name))
	for i, link := range p.Chain {
		label := ""
		if i == 0 {
			label = "source"
		}
		arrow := ""
		if i > 0 {
			arrow = "← "
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", label, arrow, esc(link))
	}
	region := p.Region
	if region == "" {
		region = "none (set region in the profile or AWS_REGION)"
	}
	fmt.Fprintf(tw, "region\t%s\n", esc(region))
	if line := c.sessionLine(ctx, p.Name); line != "" {
		fmt.Fprintf(tw, "session\t%s\n", esc(line))
	}
	creds, err := p.Retrieve(ctx, false)
	if err != nil {
		return err
	}
	state := "long-term keys"
	if creds.Temporary() {
		state = "temporary"
	}
	if creds.CanExpire() {
		state += ", expire " + engine.FormatTime(creds.Expires) + " (" + untilText(creds.Expires.Sub(c.env.Now())) + ")"
	} else {
		state += ", no expiry"
	}
	fmt.Fprintf(tw, "credentials\t%s, %s\n", engine.MaskKey(creds.AccessKeyID), state)
	refresh := refreshText(p.Kind, p.Name)
	if p.MFASerial != "" && p.Kind == engine.KindAssumeRole {
		refresh = "each renewal assumes the role again and needs a new MFA code (the tray and the servers ask for it; exported copies expire)"
	}
	fmt.Fprintf(tw, "refresh\t%s\n", esc(refresh))
	for i, w := range p.Warnings {
		label := ""
		if i == 0 {
			label = "warning"
		}
		fmt.Fprintf(tw, "%s\t%s\n", label, esc(w.String()))
	}
	tw.Flush()
	_, err = io.WriteString(c.stdout, out.String())
	return err
}

// sessionLine describes the sign-in session the profile uses, from its
// token cache: "my-sso (sso-session), signed in until ... (in 7h),
// renews by itself", or "" when it has none.
func (c *cli) sessionLine(ctx context.Context, profile string) string {
	s, err := signin.ProfileSession(ctx, c.env, profile)
	if err != nil {
		return ""
	}
	line := s.Name + " (" + string(s.Kind) + "), "
	st, err := signin.StatusOf(s, signin.Config{Env: c.env, LoginCacheDir: c.getenv("AWS_LOGIN_CACHE_DIRECTORY")})
	now := c.env.Now()
	switch {
	case err != nil || !st.SignedIn:
		return line + "not signed in"
	case st.Valid(now):
		line += "signed in until " + engine.FormatTime(st.ExpiresAt) + " (" + untilText(st.ExpiresAt.Sub(now)) + ")"
	default:
		line += "token expired " + engine.FormatTime(st.ExpiresAt)
	}
	if st.Refreshable {
		return line + ", renews by itself until the session ends"
	}
	return line + ", then a new sign-in is needed"
}

// untilText says how long until an expiry, roughly, for people.
func untilText(d time.Duration) string {
	switch {
	case d < 0:
		return "expired " + (-d).Round(time.Minute).String() + " ago"
	case d < time.Minute:
		return "in less than a minute"
	case d > 48*time.Hour:
		return fmt.Sprintf("in %d days", int(d.Hours()/24))
	}
	return "in " + strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
}

// refreshText says whether a kind of profile renews its credentials.
func refreshText(k engine.Kind, name string) string {
	switch k {
	case engine.KindStatic:
		return "never needed: long-term keys do not expire (--ensure-temporary and the servers exchange them for temporary ones)"
	case engine.KindSession:
		return "not possible: a fixed session token in the file; replace it when it expires"
	case engine.KindSSO:
		return "the SDK renews them until the SSO session ends; then run awsxc-cli login --profile " + name
	case engine.KindLogin:
		return "the SDK renews them until the aws login session ends; then run awsxc-cli login --profile " + name
	}
	return "the SDK fetches new ones from the source when these expire (exported copies do not follow: use credential_process, --imds or --container for that)"
}
