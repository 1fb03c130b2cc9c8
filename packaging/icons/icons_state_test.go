package icons

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// Each state icon is told apart by its badge: the pixel at Badge is the
// icon's dark background without one, yellow when expiring, red when
// failing, in the PNG and in every image of the ICO; and away from the
// badge the three are the same icon.
func TestStateIconBadges(t *testing.T) {
	t.Parallel()
	type kind func(c color.NRGBA) bool
	dark := func(c color.NRGBA) bool { return c.R < 0x50 && c.G < 0x50 && c.B < 0x60 && c.A == 0xff }
	yellow := func(c color.NRGBA) bool { return c.R > 0xe0 && c.G > 0xb0 && c.B < 0x40 && c.A == 0xff }
	red := func(c color.NRGBA) bool { return c.R > 0xc0 && c.G < 0x50 && c.B < 0x50 && c.A == 0xff }
	tests := []struct {
		name     string
		png, ico []byte
		badge    kind
	}{
		{"ok", Tray, TrayICO, dark},
		{"expiring", TrayExpiring, TrayICOExpiring, yellow},
		{"failing", TrayFailing, TrayICOFailing, red},
	}
	plain := decodePNG(t, Tray)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			img := decodePNG(t, tt.png)
			if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 32 {
				t.Fatalf("PNG is %v; want 32x32", b)
			}
			if c := at(img, Badge.X, Badge.Y); !tt.badge(c) {
				t.Errorf("PNG badge pixel %v; want the %s colour", c, tt.name)
			}
			// The key is untouched: the top-left quarter is the plain icon's.
			for y := range 16 {
				for x := range 16 {
					if at(img, x, y) != at(plain, x, y) {
						t.Fatalf("pixel (%d,%d) %v differs from the plain icon's %v", x, y, at(img, x, y), at(plain, x, y))
					}
				}
			}
			for _, im := range decodeICO(t, tt.ico) {
				w := im.Bounds().Dx()
				x, y := Badge.X*w/32, Badge.Y*w/32
				if c := at(im, x, y); !tt.badge(c) {
					t.Errorf("ICO %d px: badge pixel (%d,%d) %v; want the %s colour", w, x, y, c, tt.name)
				}
			}
		})
	}
}

func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func at(img image.Image, x, y int) color.NRGBA {
	return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
}

// decodeICO decodes the images of an ICO file: PNG entries, or 32-bit
// BITMAPINFOHEADER entries (bottom-up BGRA, as icotool writes them).
func decodeICO(t *testing.T, data []byte) []image.Image {
	t.Helper()
	n := int(binary.LittleEndian.Uint16(data[4:]))
	var out []image.Image
	for i := range n {
		e := data[6+16*i:]
		size, off := binary.LittleEndian.Uint32(e[8:]), binary.LittleEndian.Uint32(e[12:])
		img := data[off : off+size]
		if bytes.HasPrefix(img, []byte("\x89PNG")) {
			out = append(out, decodePNG(t, img))
			continue
		}
		w := int(int32(binary.LittleEndian.Uint32(img[4:])))
		if bpp := binary.LittleEndian.Uint16(img[14:]); bpp != 32 {
			t.Fatalf("ICO entry %d: %d bits per pixel; want 32", i, bpp)
		}
		hdr := int(binary.LittleEndian.Uint32(img[0:]))
		px := img[hdr:]
		m := image.NewNRGBA(image.Rect(0, 0, w, w))
		for y := range w {
			row := px[(w-1-y)*w*4:] // bottom-up
			for x := range w {
				b, g, r, a := row[4*x], row[4*x+1], row[4*x+2], row[4*x+3]
				m.SetNRGBA(x, y, color.NRGBA{r, g, b, a})
			}
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		t.Fatal("ICO without images")
	}
	return out
}
