package daemon

import (
	"context"
	"errors"

	"github.com/awsxc/awsxc/engine"
)

// errNoCode is what a source's MFA token provider answers when no code
// is at hand: no client gave one and no prompt runs for the profile.
var errNoCode = errors.New("no MFA code given")

// mfaState is one profile's way to an MFA code, for the token provider
// of its source. A source asks for a code only during a refresh the
// daemon started on purpose: with a code a client gave, or with a prompt
// of the front end's [Prompter].
type mfaState struct {
	// code is what a client gave, for the refresh its request runs.
	code string
	// prompting is set while a refresh that asks the Prompter runs;
	// given hands it a code that a client brought meanwhile, which
	// answers (and closes) the prompt.
	prompting bool
	given     chan string
	// done is closed when the prompting refresh ends.
	done chan struct{}
}

// stateLocked returns profile's state, making it; d.mfaMu must be held.
func (d *Daemon) stateLocked(profile string) *mfaState {
	st := d.mfa[profile]
	if st == nil {
		st = &mfaState{}
		d.mfa[profile] = st
	}
	return st
}

// dropLocked forgets profile's state once nothing uses it; d.mfaMu must
// be held.
func (d *Daemon) dropLocked(profile string, st *mfaState) {
	if st.code == "" && !st.prompting && d.mfa[profile] == st {
		delete(d.mfa, profile)
	}
}

// tokenProvider is the MFA token provider of profile's source (see
// engine.RegistryOptions.MFA). It never waits on a human unless a
// prompt was asked for ([Daemon.prompted]).
func (d *Daemon) tokenProvider(profile string) engine.TokenProvider {
	return func() (string, error) {
		d.mfaMu.Lock()
		st := d.mfa[profile]
		var code string
		var given chan string
		prompt := false
		if st != nil {
			code, prompt, given = st.code, st.prompting, st.given
		}
		d.mfaMu.Unlock()
		switch {
		case code != "":
			return code, nil
		case !prompt || d.opts.Prompter == nil:
			return "", errNoCode
		}
		ctx, cancel := context.WithCancel(d.ctx)
		defer cancel() // closes the prompt when a client's code answered it
		type answer struct {
			code string
			err  error
		}
		res := make(chan answer, 1)
		go func() {
			c, err := d.opts.Prompter.MFACode(ctx, profile)
			res <- answer{c, err}
		}()
		select {
		case a := <-res:
			return a.code, a.err
		case c := <-given:
			return c, nil
		case <-d.ctx.Done():
			return "", d.ctx.Err()
		}
	}
}

// withCode runs refresh (a source's Refresh) with an MFA code a client
// gave: the source's token provider hands it out, or, while a prompt for
// the profile is open, it answers the prompt.
func (d *Daemon) withCode(ctx context.Context, profile, code string, refresh func(context.Context) error) error {
	d.mfaMu.Lock()
	st := d.stateLocked(profile)
	if st.prompting && code != "" {
		select {
		case st.given <- code:
		default: // another client's code got there first
		}
		// The prompt's refresh takes the code: wait for it rather than
		// refresh again, which, once the prompt's refresh has ended,
		// would find no code (or, before, ask the Prompter a second
		// time). The caller reads the source's credentials after.
		done := st.done
		d.mfaMu.Unlock()
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	st.code = code
	d.mfaMu.Unlock()
	err := refresh(ctx)
	d.mfaMu.Lock()
	if st.code == code {
		st.code = ""
	}
	d.dropLocked(profile, st)
	d.mfaMu.Unlock()
	return err
}

// prompted runs refresh with the Prompter allowed to ask for a code; a
// second call for the same profile while one runs waits for the same
// refresh (a source shares a running fetch).
func (d *Daemon) prompted(ctx context.Context, profile string, refresh func(context.Context) error) error {
	d.mfaMu.Lock()
	st := d.stateLocked(profile)
	owner := !st.prompting
	if owner {
		st.prompting, st.given, st.done = true, make(chan string, 1), make(chan struct{})
	}
	d.mfaMu.Unlock()
	err := refresh(ctx)
	if owner {
		d.mfaMu.Lock()
		close(st.done)
		st.prompting, st.given, st.done = false, nil, nil
		d.dropLocked(profile, st)
		d.mfaMu.Unlock()
	}
	return err
}

// Prompting reports whether a refresh of profile that may ask the
// [Prompter] runs: from the prompt's start until the refresh it is part
// of has ended (after the dialog closed, the refresh may still be
// finishing). A Refresh called meanwhile shares that refresh, and asks
// nothing of its own.
func (d *Daemon) Prompting(profile string) bool { return d.isPrompting(profile) }

// isPrompting reports whether a prompt for profile runs.
func (d *Daemon) isPrompting(profile string) bool {
	d.mfaMu.Lock()
	defer d.mfaMu.Unlock()
	st := d.mfa[profile]
	return st != nil && st.prompting
}

// startPrompt asks the Prompter for profile's code in the background,
// once at a time, when a request found that the profile needs one: the
// request is answered at once, and the code the user gives serves every
// later caller.
func (d *Daemon) startPrompt(profile string, refresh func(context.Context) error) {
	if d.opts.Prompter == nil || d.isPrompting(profile) {
		return
	}
	d.bg.Go(func() {
		if err := d.prompted(d.ctx, profile, refresh); err != nil {
			d.log.Debug("MFA prompt ended without credentials", "profile", profile, "err", err)
		}
		d.changed()
	})
}
