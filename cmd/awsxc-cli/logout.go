package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/awsxc/awsxc/engine/signin"
)

var logoutCommand = &command{
	name:    "logout",
	usage:   "logout [--profile PROFILE] [OPTIONS]",
	summary: "sign out of a profile's session, or of all of them",
	doc: `Signs out of the session a profile uses (or [sso-session NAME], or with
--all every session, as aws sso logout and aws logout --all do): calls the
IAM Identity Center portal's Logout with the cached token (refreshed first
when it has expired; best effort),
removes the token from ~/.aws/sso/cache or ~/.aws/login/cache, and removes
the credentials that awsxc and the AWS CLI cached for the session's
profiles. Client registrations stay. An aws login session's credentials
stay valid for up to 15 minutes (the service has no sign-out call).
Ctrl-C stops it (exit status 130; SIGTERM 143).
`,
	exits: "130 interrupted (Ctrl-C), 143 terminated (SIGTERM)",
	new:   func() runner { return &logoutCmd{} },
}

type logoutCmd struct {
	profile profileFlag
	session string
	all     bool
}

func (l *logoutCmd) flags() []flagSpec {
	return []flagSpec{
		l.profile.spec(),
		stringFlag("sso-session", "NAME", "sign out of [sso-session NAME]", &l.session),
		boolFlag("all", "sign out of every session, as aws sso logout does", &l.all),
	}
}

func (l *logoutCmd) check(p parsed) error {
	n := 0
	for _, set := range []bool{l.profile.set, l.session != "", l.all} {
		if set {
			n++
		}
	}
	switch {
	case len(p.args) > 0:
		return usagef("logout takes no arguments (use --profile, --sso-session or --all)")
	case n > 1:
		return usagef("give one of --profile, --sso-session and --all")
	}
	return nil
}

func (l *logoutCmd) run(ctx context.Context, c *cli, _ parsed) error {
	ctx, signalled, stop := withSignals(ctx)
	defer stop()
	err := l.signOut(ctx, c)
	if code := signalled(); code != 0 {
		return &exitError{code: code, msg: "logout interrupted"}
	}
	return err
}

func (l *logoutCmd) signOut(ctx context.Context, c *cli) error {
	var res *signin.SignOutResult
	var err error
	what := "every session"
	if l.all {
		conf := signin.Config{Env: c.env, LoginCacheDir: c.getenv("AWS_LOGIN_CACHE_DIRECTORY"),
			Profile: l.profile.choose(c), Logger: c.log, Getenv: c.getenv}
		res, err = signin.SignOutAll(ctx, conf)
	} else {
		var s signin.Session
		var conf signin.Config
		if s, conf, err = c.session(ctx, &l.profile, l.session); err != nil {
			return err
		}
		what = fmt.Sprintf("%q", s.Name)
		res, err = signin.SignOut(ctx, s, conf)
		if err == nil && s.Kind == signin.KindLogin && len(res.Files) > 0 {
			defer c.notef("the credentials it handed out stay valid for up to 15 minutes")
		}
	}
	if err != nil {
		return err
	}
	for _, e := range res.LogoutFailed {
		c.notef("warning: the portal's Logout failed (%v); the token is removed here, but its sign-in stays valid at the service until it expires", e)
	}
	switch {
	case len(res.Files) == 0 && len(res.CachedCredentials) == 0:
		c.notef("not signed in to %s: nothing to remove", what)
	default:
		msg := fmt.Sprintf("signed out of %s: removed %s and %s", what, count(len(res.Files), "token"),
			count(len(res.CachedCredentials), "cached credentials file"))
		if len(res.Profiles) > 0 && !l.all {
			msg += " (profiles " + strings.Join(res.Profiles, ", ") + ")"
		}
		c.notef("%s", msg)
	}
	return nil
}

// count says "1 token", "2 tokens", "no token".
func count(n int, noun string) string {
	switch n {
	case 0:
		return "no " + noun
	case 1:
		return "1 " + noun
	}
	return fmt.Sprint(n) + " " + noun + "s"
}
