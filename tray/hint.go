//go:build !darwin || cgo

package tray

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/awsxc/awsxc/engine"
)

// maxHint is the longest hint line the menu shows, in characters. A menu
// is as wide as its widest item, and an SDK error runs to several hundred
// characters: the panel's menu would stretch across the screen and be cut
// off (and fyne-io/systray#66: it never shrinks back).
const maxHint = 80

// shortHint is hint as one menu line of at most maxHint characters. A
// longer one is an error chain more often than not ("context: context:
// cause"), whose ends say most: it keeps the first and the last part
// ("STS GetSessionToken: …: no such host"), and cuts what is still too
// long at a word, with "…". The whole text goes to the tooltips and the
// log.
func shortHint(hint string) string {
	hint = strings.Join(strings.Fields(hint), " ")
	if utf8.RuneCountInString(hint) <= maxHint {
		return hint
	}
	if parts := strings.Split(hint, ": "); len(parts) > 2 {
		if s := parts[0] + ": …: " + parts[len(parts)-1]; utf8.RuneCountInString(s) <= maxHint {
			return s
		}
	}
	return clip(hint, maxHint)
}

// clip cuts s to at most n characters at a space, ending it with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1] // room for the "…"
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// errDetail is the whole text of the errors the first menu lines
// report, for the tooltips; "" when there is none. An engine error is
// given without its profile (the header names it) and without its hint
// (the hint line is the front end's).
func errDetail(s State) string {
	var errs []string
	add := func(err error) {
		var e *engine.Error
		switch {
		case err == nil:
		case errors.As(err, &e) && e.Err != nil:
			errs = append(errs, e.Kind.Error()+": "+e.Err.Error())
		case errors.As(err, &e):
			errs = append(errs, e.Kind.Error())
		default:
			errs = append(errs, err.Error())
		}
	}
	switch {
	case s.NoConfig || s.Active == "":
	case s.LoadErr != nil:
		add(s.LoadErr)
	case s.HaveSource && !s.MFAAsking:
		add(s.Status.Err)
		if needsMFA(s) {
			add(s.MFAErr)
		}
	}
	return strings.Join(errs, "\n")
}

// tooltipText is the hint and the detail the tooltips show below the
// status line: the whole hint, then the detail unless the lines above
// already say it.
func tooltipText(status, hint, detail string) string {
	lines := status + "\n" + hint
	if detail == "" || strings.Contains(lines, detail) {
		return hint
	}
	return strings.TrimPrefix(hint+"\n"+detail, "\n")
}
