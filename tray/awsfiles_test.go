//go:build !darwin || cgo

package tray

import (
	"strings"
	"testing"
)

// TestIssue10Item17AWSFilesWarning: a section twice in the config file,
// for another profile than the active one, makes the AWS CLI refuse the
// file: the tray says so, once, while the active profile still works; the
// duplicated profile itself cannot be made active (its load error is the
// hint).
func TestIssue10Item17AWSFilesWarning(t *testing.T) {
	config := twoProfiles + "[profile x]\nregion = us-east-1\n[profile x]\noutput = json\n"
	h := newHarness(t, harnessOptions{config: config, creds: twoProfilesCreds, settings: `{"profile": "dev"}`})
	h.waitFor(t, "dev", valid("dev"))
	count := func() int {
		n := 0
		h.mu.Lock()
		defer h.mu.Unlock()
		for i, s := range h.notes {
			if s == "A problem with the AWS files" && strings.Contains(h.bodies[i], "[profile x] appears twice") {
				n++
			}
		}
		return n
	}
	if n := settle(count, 1); n != 1 {
		t.Errorf("%d notifications about the duplicated section; want 1 (notes %q)", n, h.notesShown())
	}
	h.do(t, func(a *app) { a.switchProfile("x", true) })
	h.waitFor(t, "x's load error", func(a *app) bool { return a.state.Active == "x" && a.state.LoadErr != nil })
	var err error
	h.do(t, func(a *app) { err = a.state.LoadErr })
	if !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("load error %v; want the duplicated section", err)
	}
}
