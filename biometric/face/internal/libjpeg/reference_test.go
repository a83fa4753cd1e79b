package libjpeg

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/idgate/idgate/internal/facephotos"
)

// referenceOf is what Reference must return for b: image/jpeg's decode, and libjpeg's decode
// of image/jpeg's quality-q encoding of it.
func referenceOf(t testing.TB, b []byte, q int) (*image.YCbCr, *image.RGBA) {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	y, ok := m.(*image.YCbCr)
	if !ok {
		t.Fatalf("image/jpeg decoded a %T", m)
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, y, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	pix, err := Decode(enc.Bytes(), y.Rect.Dx(), y.Rect.Dy())
	if err != nil {
		t.Fatal(err)
	}
	return y, pix
}

// sameYCbCr reports where two YCbCr images differ in bounds, layout or a visible sample.
func sameYCbCr(a, b *image.YCbCr) string {
	if a.Rect != b.Rect || a.SubsampleRatio != b.SubsampleRatio || a.YStride != b.YStride || a.CStride != b.CStride {
		return "layout"
	}
	for y := a.Rect.Min.Y; y < a.Rect.Max.Y; y++ {
		for x := a.Rect.Min.X; x < a.Rect.Max.X; x++ {
			if a.Y[a.YOffset(x, y)] != b.Y[b.YOffset(x, y)] {
				return "Y"
			}
			if ca, cb := a.COffset(x, y), b.COffset(x, y); a.Cb[ca] != b.Cb[cb] || a.Cr[ca] != b.Cr[cb] {
				return "chroma"
			}
		}
	}
	return ""
}

func checkReference(t *testing.T, name string, b []byte, q int) {
	t.Helper()
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	wantImg, wantPix := referenceOf(t, b, q)
	for _, threads := range []int{1, 2} {
		img, pix, err := Reference(b, cfg.Width, cfg.Height, q, threads)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if d := sameYCbCr(img, wantImg); d != "" {
			t.Errorf("%s (threads %d): decode differs from image/jpeg's (%s)", name, threads, d)
		}
		if !bytes.Equal(pix.Pix, wantPix.Pix) || pix.Rect != wantPix.Rect {
			t.Errorf("%s (threads %d): pixels differ from the reference pipeline's", name, threads)
		}
	}
}

// noise is a photo-like test card: gradients, edges and noise, so every DCT coefficient and
// rounding path is exercised.
func noise(w, h int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := m.PixOffset(x, y)
			edge := 0
			if (x/7+y/5)%2 == 0 {
				edge = 90
			}
			m.Pix[i] = uint8(min(255, x*255/max(1, w-1)/2+edge+r.IntN(40)))
			m.Pix[i+1] = uint8(min(255, y*255/max(1, h-1)/2+r.IntN(60)))
			m.Pix[i+2] = uint8(min(255, (x+y)%256/2+edge/2+r.IntN(20)))
			m.Pix[i+3] = 255
		}
	}
	return m
}

// TestReferenceIsTheReferencePipeline: Reference's planes are image/jpeg's decode and its
// pixels are the reference pipeline's, bit for bit, for every layout it mirrors, sizes that
// are and are not whole MCUs, many qualities, restart intervals, and the repository's photos.
func TestReferenceIsTheReferencePipeline(t *testing.T) {
	sizes := [][2]int{{1, 1}, {2, 3}, {3, 2}, {4, 5}, {5, 4}, {6, 6}, {7, 9}, {16, 16}, {17, 33}, {64, 48}, {97, 61}, {130, 7}}
	for _, s := range sizes {
		img := noise(s[0], s[1], uint64(s[0]*1000+s[1]))
		for _, q := range []int{30, 75, 95, 100} {
			var b bytes.Buffer
			if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
				t.Fatal(err)
			}
			checkReference(t, "image/jpeg "+sizeName(s)+" q"+itoa(q), b.Bytes(), 95)
		}
		for _, o := range []encodeOptions{
			{quality: 90, hs: 1, vs: 1},
			{quality: 85, hs: 2, vs: 1},
			{quality: 92, hs: 2, vs: 2, progressive: true},
			{quality: 97, hs: 1, vs: 1, progressive: true},
			{quality: 80, hs: 2, vs: 2, restart: 2},
			{quality: 100, hs: 2, vs: 1},
		} {
			b, err := libEncode(img, o)
			if err != nil {
				t.Fatal(err)
			}
			checkReference(t, "libjpeg "+sizeName(s)+" "+optionsName(o), b, 95)
		}
	}
	for _, n := range facephotos.Names() {
		b, err := facephotos.Read(n)
		if err != nil {
			t.Fatal(err)
		}
		checkReference(t, n, b, 95)
	}
	// Other re-encode qualities, one photo.
	b, _ := facephotos.Read(facephotos.Names()[0])
	for _, q := range []int{1, 50, 99, 100} {
		checkReference(t, "quality "+itoa(q), b, q)
	}
}

// TestReferenceSharedPhotos runs the same comparison on every JPEG under ../shared/faces.
func TestReferenceSharedPhotos(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "..", "shared", "faces")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared photos unavailable: %v", err)
	}
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".jpg" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			return nil
		}
		n++
		checkReference(t, filepath.Base(p), b, 95)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d photos", n)
}

// TestReferenceRefuses: layouts it does not mirror are ErrUnsupported, corrupt data an error.
func TestReferenceRefuses(t *testing.T) {
	img := noise(40, 24, 7)
	var good bytes.Buffer
	if err := jpeg.Encode(&good, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	var grey bytes.Buffer
	if err := jpeg.Encode(&grey, image.NewGray(image.Rect(0, 0, 40, 24)), nil); err != nil {
		t.Fatal(err)
	}
	s440, err := libEncode(img, encodeOptions{quality: 90, hs: 1, vs: 2})
	if err != nil {
		t.Fatal(err)
	}
	progRestarts, err := libEncode(img, encodeOptions{quality: 90, hs: 2, vs: 2, progressive: true, restart: 1})
	if err != nil {
		t.Fatal(err)
	}
	g := good.Bytes()
	// A DQT after the first scan: copy the file's first DQT segment in front of EOI.
	dqt := bytes.Index(g, []byte{0xFF, 0xDB})
	n := int(g[dqt+2])<<8 | int(g[dqt+3])
	late := beforeEOI(g, g[dqt:dqt+2+n])
	dht := bytes.Index(g, []byte{0xFF, 0xC4})
	dhtLen := int(g[dht+2])<<8 | int(g[dht+3])
	noDHT := append(append([]byte{}, g[:dht]...), g[dht+2+dhtLen:]...)
	zeroDHT := append(append(append([]byte{}, g[:dht]...), 0xFF, 0xC4, 0, 19, 0x00), make([]byte, 16)...)
	zeroDHT = append(zeroDHT, g[dht:]...)
	for name, c := range map[string]struct {
		b           []byte
		unsupported bool
	}{
		"grey":                      {grey.Bytes(), true},
		"4:4:0":                     {s440, true},
		"late DQT":                  {late, true},
		"late APP14 (RGB)":          {beforeEOI(g, []byte{0xFF, 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0}), true},
		"restarts reset by a DRI":   {beforeEOI(progRestarts, []byte{0xFF, 0xDD, 0, 4, 0, 0}), true},
		"DNL":                       {beforeEOI(g, []byte{0xFF, 0xDC, 0, 4, 0, 24}), true},
		"no DHT":                    {noDHT, true},
		"DHT with no codes":         {zeroDHT, true},
		"FF00 between segments":     {append([]byte{0xFF, 0xD8, 0xFF, 0x00}, g[2:]...), true},
		"progressive with restarts": {progRestarts, true},
		"truncated":                 {g[:len(g)/2], true}, // no EOI: the marker walk stops first
		"corrupt":                   {corrupt(g), false},
		"not a JPEG":                {[]byte("GIF89a.........."), true},
	} {
		_, _, err := Reference(c.b, 40, 24, 95, 2)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if errors.Is(err, ErrUnsupported) != c.unsupported {
			t.Errorf("%s: %v, want unsupported %v", name, err, c.unsupported)
		}
	}
	if _, _, err := Reference(g, 24, 40, 95, 2); err == nil {
		t.Error("a size other than the header's was accepted")
	}
}

// beforeEOI inserts a segment in front of the JPEG's EOI marker.
func beforeEOI(jpg, seg []byte) []byte {
	out := append([]byte{}, jpg[:len(jpg)-2]...)
	return append(append(out, seg...), 0xFF, 0xD9)
}

// corrupt flips bits in the middle of the entropy-coded data, keeping it free of markers.
func corrupt(b []byte) []byte {
	c := append([]byte{}, b...)
	for i := len(c) * 2 / 3; i < len(c)*2/3+8; i++ {
		if c[i] != 0xFF && c[i-1] != 0xFF {
			c[i] ^= 0x55
			if c[i] == 0xFF {
				c[i] = 0xFE
			}
		}
	}
	return c
}

// TestQuantTablesAreImageJPEGs: the tables Reference encodes with are those image/jpeg writes.
func TestQuantTablesAreImageJPEGs(t *testing.T) {
	for _, q := range []int{1, 10, 49, 50, 75, 95, 100} {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, noise(8, 8, 1), &jpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		// image/jpeg writes one DQT segment: two 8-bit tables in zig-zag order.
		g := b.Bytes()
		i := bytes.Index(g, []byte{0xFF, 0xDB})
		want := quantTables(q)
		for tbl := 0; tbl < 2; tbl++ {
			seg := g[i+4+tbl*65:]
			if seg[0] != byte(tbl) {
				t.Fatalf("q%d: table %d header %x", q, tbl, seg[0])
			}
			for zig := 0; zig < 64; zig++ {
				if got := uint16(seg[1+zig]); got != want[64*tbl+zigzag[zig]] {
					t.Fatalf("q%d table %d: zig-zag %d is %d, want %d", q, tbl, zig, got, want[64*tbl+zigzag[zig]])
				}
			}
		}
	}
}

// zigzag maps a zig-zag index to its natural-order index (ITU-T T.81 Figure A.6).
var zigzag = [64]int{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
}

// FuzzReference: Reference never crashes on any bytes, and on a valid JPEG made from whatever
// image/jpeg decodes them to (re-encoded by image/jpeg, the quality from the input) it agrees
// with the reference pipeline bit for bit. On entropy-coded data that breaks ITU-T T.81 (a run
// past the end of a block's band) libjpeg and image/jpeg decode different garbage, so the raw
// input is held to no more than that.
func FuzzReference(f *testing.F) {
	img := noise(33, 19, 3)
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	f.Add(b.Bytes())
	for _, o := range []encodeOptions{{quality: 90, hs: 1, vs: 1, progressive: true}, {quality: 75, hs: 2, vs: 1, restart: 1}} {
		if e, err := libEncode(img, o); err == nil {
			f.Add(e)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width*cfg.Height > 1<<18 {
			return
		}
		if got, pix, err := Reference(b, cfg.Width, cfg.Height, 95, 2); err == nil {
			if got.Rect != image.Rect(0, 0, cfg.Width, cfg.Height) || pix.Rect != got.Rect {
				t.Fatalf("bounds %v, %v for %dx%d", got.Rect, pix.Rect, cfg.Width, cfg.Height)
			}
		}
		m, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil || m.Bounds().Empty() { // image/jpeg decodes and writes a height of 0
			return
		}
		var valid bytes.Buffer
		if err := jpeg.Encode(&valid, m, &jpeg.Options{Quality: 1 + int(b[len(b)-1])%100}); err != nil {
			return
		}
		got, pix, err := Reference(valid.Bytes(), cfg.Width, cfg.Height, 95, 2)
		if err != nil {
			t.Fatalf("a JPEG image/jpeg wrote was refused: %v", err)
		}
		want, wantPix := referenceOf(t, valid.Bytes(), 95)
		if d := sameYCbCr(got, want); d != "" {
			t.Fatalf("decode differs from image/jpeg's (%s)", d)
		}
		if !bytes.Equal(pix.Pix, wantPix.Pix) {
			t.Fatal("pixels differ from the reference pipeline's")
		}
	})
}

func sizeName(s [2]int) string { return itoa(s[0]) + "x" + itoa(s[1]) }

func optionsName(o encodeOptions) string {
	n := "q" + itoa(o.quality) + " " + itoa(o.hs) + "x" + itoa(o.vs)
	if o.progressive {
		n += " progressive"
	}
	if o.restart > 0 {
		n += " restart"
	}
	return n
}

func itoa(i int) string {
	return string(appendInt(nil, i))
}

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}
