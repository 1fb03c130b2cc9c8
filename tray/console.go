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
// link is a bearer credential: it is never logged (console.URL masks
// itself) and reaches the browser through a one-shot loopback redirect,
// never on a command line. No MFA code is asked for: a profile that
// needs one gets the MFA hint.
func (a *app) openConsole(copyLink bool) {
	name := a.state.Active
	if name == "" || !a.state.HaveSource || !(a.state.Status.Valid || OwnKeys(a.state)) {
		return // the items are disabled
	}
	env, clearAfter, now := a.opts.Env, a.clearAfter(), a.now
	a.background(func() {
		ctx, cancel := context.WithTimeout(a.ctx, consoleWait)
		defer cancel()
		u, err := console.NewURL(ctx, console.Options{Env: env, Profile: name, Logger: a.log, Endpoint: os.Getenv("AWSXC_SIGNIN_URL")})
		if err != nil {
			a.post(func() { a.notify("No console link for "+name, consoleErrText(err)) })
			return
		}
		if copyLink {
			// Never left on the clipboard past the link's life, even with
			// clipboard_clear_seconds set to never.
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
			a.post(func() {
				a.notify("Cannot open the AWS console", err.Error()+"; choose Copy console link and paste it into a browser")
			})
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

// consoleErrText words a console failure for the tray: the engine's
// reason, with the menu's hint for what the user can do.
func consoleErrText(err error) string {
	switch {
	case errors.Is(err, engine.ErrMFARequired):
		// console.NewURL obtains the credentials anew (review 1, M7): the
		// code given to Enter MFA code… does not reach it, so the menu's
		// MFA hint would not help, and no dialog is shown for a link.
		return "The profile asks for an MFA code, which the console link does not ask for"
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
