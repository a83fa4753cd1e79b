package libjpeg

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/idgate/idgate/internal/facephotos"
)

func encode(t *testing.T, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pattern(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) * 255 / (w + h)), 255})
		}
	}
	return m
}

// meanDiff is the mean absolute difference of the R, G, B bytes of libjpeg's decode and
// image/jpeg's, and whether every alpha byte of libjpeg's is opaque.
func meanDiff(t *testing.T, b []byte) (float64, bool) {
	t.Helper()
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b, cfg.Width, cfg.Height)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for y := 0; y < cfg.Height; y++ {
		for x := 0; x < cfg.Width; x++ {
			r, g, bl, _ := ref.At(x, y).RGBA()
			p := got.RGBAAt(x, y)
			for _, d := range []int{int(p.R) - int(r>>8), int(p.G) - int(g>>8), int(p.B) - int(bl>>8)} {
				sum += float64(max(d, -d))
			}
		}
	}
	return sum / float64(3*cfg.Width*cfg.Height), got.Opaque()
}

// TestDecodeAgreesWithImageJPEG: libjpeg's pixels differ from image/jpeg's only by rounding
// and chroma interpolation (image/jpeg replicates chroma), for colour and grey JPEGs and the
// repository's photos.
func TestDecodeAgreesWithImageJPEG(t *testing.T) {
	cases := map[string][]byte{
		"pattern q95": encode(t, pattern(97, 61), 95),
		"pattern q50": encode(t, pattern(64, 64), 50),
		"grey":        encode(t, image.NewGray(image.Rect(0, 0, 33, 17)), 90),
	}
	for _, n := range facephotos.Names() {
		b, err := facephotos.Read(n)
		if err != nil {
			t.Fatal(err)
		}
		cases[n] = b
	}
	for name, b := range cases {
		d, opaque := meanDiff(t, b)
		t.Logf("%s: mean |difference| %.2f", name, d)
		if d > 1.5 || !opaque {
			t.Errorf("%s: mean difference %.2f, opaque %v", name, d, opaque)
		}
	}
}

// TestDecodeRefuses: corrupt data (which libjpeg would fill with grey), a size that is not
// the header's and empty input are errors.
func TestDecodeRefuses(t *testing.T) {
	good := encode(t, pattern(64, 48), 90)
	for name, c := range map[string]struct {
		b    []byte
		w, h int
	}{
		"truncated":  {good[:len(good)/2], 64, 48},
		"wrong size": {good, 48, 64},
		"empty":      {nil, 64, 48},
		"not a jpeg": {[]byte("GIF89a............"), 64, 48},
		"zero size":  {good, 0, 48},
	} {
		if _, err := Decode(c.b, c.w, c.h); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if _, err := Decode(good, 64, 48); err != nil {
		t.Fatal(err)
	}
}

// FuzzDecode feeds untrusted bytes with the size their header claims (as the face package
// does after image/jpeg's DecodeConfig): an image or an error, never a crash.
func FuzzDecode(f *testing.F) {
	good := func(q int) []byte {
		var b bytes.Buffer
		_ = jpeg.Encode(&b, pattern(40, 24), &jpeg.Options{Quality: q})
		return b.Bytes()
	}
	f.Add(good(90))
	f.Add(good(10))
	f.Add(good(90)[:200])
	if b, err := facephotos.Read(facephotos.Names()[0]); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		if m, err := Decode(b, cfg.Width, cfg.Height); err == nil && m.Rect != image.Rect(0, 0, cfg.Width, cfg.Height) {
			t.Fatalf("bounds %v for %dx%d", m.Rect, cfg.Width, cfg.Height)
		}
	})
}
