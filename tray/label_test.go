//go:build !darwin || cgo

package tray

import (
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/awsxc/awsxc/tray/internal/snitest"
)

func TestMenuLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		goos, label, want string
	}{
		{"linux", "dev_admin", "dev__admin"},
		{"linux", "_a__b_", "__a____b__"},
		{"freebsd", "credential_process JSON", "credential__process JSON"},
		{"linux", "R&D", "R&D"},
		{"windows", "R&D", "R&&D"},
		{"windows", "dev_admin", "dev_admin"},
		{"darwin", "dev_admin & R&D", "dev_admin & R&D"},
	}
	for _, tt := range tests {
		if got := menuLabel(tt.goos, tt.label); got != tt.want {
			t.Errorf("menuLabel(%q, %q) = %q; want %q", tt.goos, tt.label, got, tt.want)
		}
	}
}

// What a dbusmenu host shows for an escaped label is the label.
func FuzzMenuLabelDBus(f *testing.F) {
	for _, s := range []string{"dev_admin", "_", "__x_", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, label string) {
		if got := snitest.DisplayLabel(menuLabel("linux", label)); got != label {
			t.Errorf("shown %q; want %q", got, label)
		}
	})
}

func TestIconTooltip(t *testing.T) {
	t.Parallel()
	long := "awsxc 1.2.3\ndev · expires in 42 min · refresh failed\n" + strings.Repeat("cannot get credentials ", 10)
	if got := iconTooltip("linux", long); got != long {
		t.Errorf("linux: %q; want the whole tooltip", got)
	}
	if got, want := iconTooltip("windows", long), "awsxc 1.2.3\ndev · expires in 42 min · refresh failed"; got != want {
		t.Errorf("windows: %q; want %q", got, want)
	}
	huge := strings.Repeat("é", 300)
	if got := iconTooltip("windows", huge); len(utf16.Encode([]rune(got))) > maxWindowsTip {
		t.Errorf("windows: %d UTF-16 units; want at most %d", len(utf16.Encode([]rune(got))), maxWindowsTip)
	}
}
