package face

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/idgate/idgate/internal/facephotos"
)

var testLimits = limits{maxBytes: DefaultMaxBytes, maxPixels: DefaultMaxPixels}

func TestPrepareRejects(t *testing.T) {
	good := encodeJPEG(gradient(64, 48))
	goodPNG := encodePNG(gradient(64, 48))
	tests := []struct {
		name string
		in   []byte
		lim  limits
		want error
	}{
		{"empty", nil, testLimits, ErrUndecodable},
		{"garbage", []byte("GIF89a not a face"), testLimits, ErrUndecodable},
		{"jpeg magic only", []byte{0xFF, 0xD8, 0xFF}, testLimits, ErrUndecodable},
		{"truncated jpeg", good[:len(good)/2], testLimits, ErrUndecodable},
		{"truncated png", goodPNG[:len(goodPNG)-20], testLimits, ErrUndecodable},
		{"corrupt png crc", append(append([]byte(nil), goodPNG[:30]...), goodPNG[31:]...), testLimits, ErrUndecodable},
		{"zero-width jpeg", jpegWithSize(good, 0, 48), testLimits, ErrUndecodable},
		{"too many bytes", good, limits{maxBytes: 100, maxPixels: DefaultMaxPixels}, ErrTooLarge},
		{"too many pixels", good, limits{maxBytes: DefaultMaxBytes, maxPixels: 64*48 - 1}, ErrTooLarge},
		{"png bomb header 60000x60000", pngWithSize(goodPNG, 60000, 60000), testLimits, ErrTooLarge},
		{"jpeg bomb header 65535x65535", jpegWithSize(good, 65535, 65535), testLimits, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeUpright(tt.in, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if Code(err) == "" {
				t.Errorf("error %v has no machine code", err)
			}
		})
	}
}

// TestPrepareNormalises: every accepted input leaves as an opaque YCbCr or RGBA image of the
// same size at origin (0, 0), and as packed RGB for dlib.
func TestPrepareNormalises(t *testing.T) {
	pal := image.NewPaletted(image.Rect(0, 0, 40, 30), color.Palette{color.Black, color.White})
	nrgba := image.NewNRGBA(image.Rect(0, 0, 40, 30)) // fully transparent
	tests := []struct {
		name string
		in   []byte
		w, h int
	}{
		{"rgb jpeg", encodeJPEG(gradient(64, 48)), 64, 48},
		{"gray jpeg", encodeJPEG(toGray(gradient(33, 17))), 33, 17},
		{"cmyk jpeg", cmykJPEG(24, 16), 24, 16},
		{"png rgba", encodePNG(gradient(20, 10)), 20, 10},
		{"png paletted", encodePNG(pal), 40, 30},
		{"png transparent", encodePNG(nrgba), 40, 30},
		{"png 16-bit gray", encodePNG(image.NewGray16(image.Rect(0, 0, 9, 9))), 9, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := decodeUpright(tt.in, testLimits)
			if err != nil {
				t.Fatal(err)
			}
			switch img.(type) {
			case *image.YCbCr, *image.RGBA:
			default:
				t.Fatalf("decoded as %T", img)
			}
			if img.Bounds() != image.Rect(0, 0, tt.w, tt.h) {
				t.Errorf("bounds %v", img.Bounds())
			}
			px := toRGB(img)
			if px.W != tt.w || px.H != tt.h || len(px.Pix) != 3*tt.w*tt.h {
				t.Errorf("rgb %dx%d, %d bytes", px.W, px.H, len(px.Pix))
			}
		})
	}
}

func TestCMYKFixtureIsCMYK(t *testing.T) {
	img, err := jpeg.Decode(bytes.NewReader(cmykJPEG(24, 16)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.CMYK); !ok {
		t.Fatalf("fixture decodes as %T, want *image.CMYK", img)
	}
}

func TestPrepareProgressivePhoto(t *testing.T) {
	b := readPhoto(t, "bona2.jpg") // a real progressive (SOF2) JPEG
	if !bytes.Contains(b[:4096], []byte{0xFF, 0xC2}) {
		t.Fatal("bona2.jpg is expected to be progressive")
	}
	img, err := decodeUpright(b, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 682, 1024) {
		t.Errorf("bounds %v", img.Bounds())
	}
}

func BenchmarkPrepare1MP(b *testing.B) {
	img := readPhoto(b, "bona.jpg") // 1000x1000 baseline
	b.ReportAllocs()
	b.SetBytes(int64(len(img)))
	for b.Loop() {
		m, err := decodeUpright(img, testLimits)
		if err != nil {
			b.Fatal(err)
		}
		toRGB(m)
	}
}

// TestDecodeWaitsForWorker: Template takes a worker slot before it decodes, so untrusted
// images are decoded at most Workers at a time. With every slot taken and the extractor
// closing, a call returns ErrClosed without having decoded its (garbage) input.
func TestDecodeWaitsForWorker(t *testing.T) {
	e := &Extractor{cfg: Config{MaxBytes: DefaultMaxBytes, MaxPixels: GateMaxPixels}, pool: make(chan engine, 1), done: make(chan struct{})}
	close(e.done) // no engine is free, and none will be
	for _, img := range [][]byte{[]byte("not an image"), encodePNG(gradient(8, 8))} {
		if _, err := e.Template(img, Gate); !errors.Is(err, ErrClosed) {
			t.Fatalf("Template = %v, want ErrClosed before any decoding", err)
		}
	}
}

// TestGateMaxPixels: at the gate cap, a 16-bit PNG announcing 24 MP (the review's 196 KB
// image that decoded to 275 MB) is refused from its header; a 2 MP capture is not.
func TestGateMaxPixels(t *testing.T) {
	gateLimits := limits{maxBytes: 2 << 20, maxPixels: GateMaxPixels}
	png := encodePNG(gradient(64, 48))
	for _, c := range []struct {
		name string
		in   []byte
		want error
	}{
		{"24 MP PNG header", pngWithSize(png, 4896, 4896), ErrTooLarge},
		{"4.1 MP JPEG header", jpegWithSize(encodeJPEG(gradient(64, 48)), 2400, 1710), ErrTooLarge},
	} {
		if _, err := decodeUpright(c.in, gateLimits); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := decodeUpright(encodeJPEG(gradient(1600, 1200)), gateLimits); err != nil {
		t.Errorf("2 MP capture: %v", err)
	}
}

// TestReferencePixelsAreThePipelines: the fast route (libjpeg.Reference) gives exactly the
// pictures of decodeUpright and dlibPixels, and takes the repository's photos; a JPEG that
// must be turned upright, a PNG and bytes beyond the limits go the pipeline's way.
func TestReferencePixelsAreThePipelines(t *testing.T) {
	e := &Extractor{}
	for _, n := range facephotos.Names() {
		b, err := facephotos.Read(n)
		if err != nil {
			t.Fatal(err)
		}
		up, pix, ok := referencePixels(b, testLimits, 2)
		if !ok {
			t.Fatalf("%s: the fast route refused it", n)
		}
		wantUp, err := decodeUpright(b, testLimits)
		if err != nil {
			t.Fatal(err)
		}
		wantPix, err := e.dlibPixels(wantUp)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pix.Pix, wantPix.Pix) || pix.Rect != wantPix.Rect {
			t.Errorf("%s: dlib pixels differ", n)
		}
		if up.Bounds() != wantUp.Bounds() {
			t.Fatalf("%s: bounds %v, want %v", n, up.Bounds(), wantUp.Bounds())
		}
		r := up.Bounds()
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if up.At(x, y) != wantUp.At(x, y) {
					t.Fatalf("%s: upright picture differs at (%d, %d)", n, x, y)
				}
			}
		}
	}
	jpg := encodeJPEG(gradient(64, 48))
	for name, b := range map[string][]byte{
		"rotated":   withEXIF(jpg, tiffWithOrientation(6, binary.BigEndian)),
		"png":       encodePNG(gradient(64, 48)),
		"too large": jpegWithSize(jpg, 5000, 5000),
		"empty":     nil,
	} {
		if _, _, ok := referencePixels(b, testLimits, 2); ok {
			t.Errorf("%s: taken by the fast route", name)
		}
	}
	if _, _, ok := referencePixels(jpg, testLimits, 2); !ok {
		t.Error("a plain JPEG was refused")
	}
}
