package icons

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"slices"
	"testing"
)

func TestPNGSizes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data []byte
	}{
		{"tray", Tray},
		{"tray_template", TrayTemplate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := png.DecodeConfig(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if cfg.Width != 32 || cfg.Height != 32 {
				t.Errorf("got %dx%d, want 32x32", cfg.Width, cfg.Height)
			}
		})
	}
}

func TestTrayICO(t *testing.T) {
	t.Parallel()
	// ICONDIR: reserved 0, type 1 (icon), image count; then 16-byte entries
	// whose first byte is the width.
	if len(TrayICO) < 6 {
		t.Fatalf("got %d bytes, want an ICO header", len(TrayICO))
	}
	if r, typ := binary.LittleEndian.Uint16(TrayICO[0:]), binary.LittleEndian.Uint16(TrayICO[2:]); r != 0 || typ != 1 {
		t.Fatalf("got reserved=%d type=%d, want 0 and 1", r, typ)
	}
	n := int(binary.LittleEndian.Uint16(TrayICO[4:]))
	var got []int
	for i := range n {
		got = append(got, int(TrayICO[6+16*i]))
	}
	if want := []int{16, 20, 24, 32}; !slices.Equal(got, want) {
		t.Errorf("got widths %v, want %v", got, want)
	}
}
