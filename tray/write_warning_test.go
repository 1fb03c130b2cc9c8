//go:build !darwin || cgo

package tray

import (
	"testing"
)

// A write that succeeds with a warning (issue 10 item 23: the export
// profile twice in the credentials file) notifies it, once, however
// often the profile is written again.
func TestWriteWarningNotifiedOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{config: twoProfiles,
		creds: twoProfilesCreds + "[awsxc]\nregion = eu-west-1\n\n[awsxc]\noutput = json\n"})
	h.waitFor(t, "dev", valid("dev"))
	count := func() int {
		n := 0
		for _, s := range h.notesShown() {
			if s == "Wrote profile awsxc with a warning" {
				n++
			}
		}
		return n
	}
	for range 3 {
		h.do(t, func(a *app) { a.onClick(idWrite) })
		h.waitFor(t, "the write", func(a *app) bool { return !a.state.Written.IsZero() })
	}
	if n := settle(count, 1); n != 1 {
		t.Errorf("%d warning notifications for 3 writes; want 1 (notes %q)", n, h.notesShown())
	}
	if exportedKey(t) == "" {
		t.Error("profile awsxc not written")
	}
}
