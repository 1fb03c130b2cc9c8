//go:build !darwin || cgo

package tray

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/console"
	"github.com/awsxc/awsxc/internal/browser"
	"github.com/awsxc/awsxc/internal/handoff"
)

// The AWS console from the tray (issue 13): Open AWS console and Copy
// console link, for the active profile, through engine/console.

// consoleLinkWhat is what the clipboard's notification calls a copied
// console link.
const consoleLinkWhat = "console link"

// consoleWait bounds making a link and handing it to the browser (a
// browser that starts cold takes seconds to follow the one-shot link).
const consoleWait = 2 * time.Minute

// consoleItems are Open AWS console and Copy console link: disabled
// while the active profile has no credentials to use (canUse, as for the
// copies).
func consoleItems(s State, canUse bool) []Item {
	tip := ""
	if canUse {
		tip = "Signs in to the AWS console as " + s.Active
	}
	return []Item{
		{ID: idConsole, Label: "Open AWS console", Disabled: !canUse, Tooltip: tip},
		{ID: idConsoleCopy, Label: "Copy console link", Disabled: !canUse,
			Tooltip: "A sign-in link is a password for 15 minutes: it is cleared from the clipboard as the copies are"},
	}
}

// openConsole makes a console link for the active profile, off the
// loop, and opens it in the browser or, with copyLink, copies it. The
// link is signed with the credentials the tray holds (console.Sign): no
// AssumeRole again, and no MFA dialog (a profile whose code has run out
// gets the MFA hint). It is a bearer credential: never logged
// (console.URL masks itself), and it reaches the browser through a
// one-shot loopback redirect, never on a command line.
func (a *app) openConsole(copyLink bool) {
	src, name := a.src, a.state.Active
	if src == nil || !(a.state.Status.Valid || OwnKeys(a.state)) {
		return // the items are disabled
	}
	// An IAM user's long-term keys sign in through GetFederationToken,
	// which refuses the GetSessionToken credentials a Source holds for
	// them: the profile's own keys are used, as copies use them.
	own := a.state.Status.LongTerm
	env, clearAfter, now := a.opts.Env, a.clearAfter(), a.now
	endpoint := os.Getenv("AWSXC_SIGNIN_URL")
	if host := console.ForeignEndpoint(endpoint); host != "" {
		// It is sent the secret key and the session token themselves.
		a.notifyOnce("signin-url", "Console links go to "+host,
			"AWSXC_SIGNIN_URL points at "+host+", which is not an AWS sign-in host: a federation sign-in sends it the profile's secret key and session token.")
	}
	a.background(func() {
		ctx, cancel := context.WithTimeout(a.ctx, consoleWait)
		defer cancel()
		c, err := a.handOut(src, own)
		var u *console.URL
		if err == nil {
			u, err = console.Sign(ctx, src.Profile(), c, console.Options{Env: env, Logger: a.log, Endpoint: endpoint})
		}
		if err != nil {
			a.post(func() { a.notify("No console link for "+name, consoleErrText(err)) })
			return
		}
		if copyLink {
			// Never left on the clipboard past the link's life.
			if left := u.Expires.Sub(now()); !u.Expires.IsZero() && left > 0 && (clearAfter == 0 || left < clearAfter) {
				clearAfter = left
			}
			note := "It signs in as " + name + " for 15 minutes: keep it to yourself."
			if !u.Secret() {
				note = "It opens the access portal's console for " + name + "; the portal signs you in."
			}
			a.clipboard.putNote(a.ctx, consoleLinkWhat, note, u.Reveal(), clearAfter)
			return
		}
		a.log.Info("opening the AWS console", "profile", name, "link", u)
		if err := openInBrowser(ctx, u); err != nil {
			a.post(func() { a.notify("Cannot open the AWS console", browserErrText(err)) })
		}
	})
}

// openInBrowser gives the browser u: a portal link as it is, a
// federation link through a one-shot loopback redirect (internal/handoff),
// so the credential never sits on the browser's command line, which other
// users of the machine can read.
func openInBrowser(ctx context.Context, u *console.URL) error {
	open := func(ctx context.Context, link string) error {
		return browser.Open(ctx, link, browser.Options{Getenv: os.Getenv})
	}
	if !u.Secret() {
		return open(ctx, u.Reveal())
	}
	return handoff.Open(ctx, u.Reveal(), open, consoleWait)
}

// browserErrText words a failure to hand the link to the browser.
func browserErrText(err error) string {
	switch {
	case errors.Is(err, handoff.ErrTaken):
		return err.Error() + ": do not use the console session it opened, sign out of it (the link stops working 15 minutes after it was made)"
	case errors.Is(err, handoff.ErrForeignPeer):
		return err.Error() + " (it read the link in the process list; the browser got the link): if a console session opened that you did not open, sign out of it"
	}
	return err.Error() + "; choose Copy console link and paste it into a browser"
}

// consoleErrText words a console failure for the tray: the engine's
// reason, with the menu's hint for what the user can do.
func consoleErrText(err error) string {
	switch {
	case errors.Is(err, engine.ErrMFARequired):
		return "The profile's credentials need a new MFA code: " + trayHints(engine.ActionMFACode, "") + ", then try again"
	case errors.Is(err, console.ErrNoConsole):
		return err.Error() + "; set AWSXC_SIGNIN_URL to the partition's federation endpoint"
	}
	return hintOf(err)
}

// copiedConsoleLink is the notification for a console link put on the
// clipboard.
func copiedConsoleLink(note string, clearAfter time.Duration) (summary, body string) {
	summary = "Console link copied"
	if clearAfter > 0 {
		summary += "; cleared in " + durationWords(clearAfter)
	}
	return summary, note
}
