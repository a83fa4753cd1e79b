package face

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/idgate/idgate/biometric"
)

// tiffWithOrientation builds a TIFF structure whose IFD0 holds an ImageWidth entry, the
// Orientation entry and a Software entry, the layout cameras and editors write.
func tiffWithOrientation(o Orientation, bo binary.ByteOrder) []byte {
	var b bytes.Buffer
	if bo == binary.LittleEndian {
		b.WriteString("II")
	} else {
		b.WriteString("MM")
	}
	w := func(v any) { binary.Write(&b, bo, v) }
	w(uint16(42))
	w(uint32(8)) // IFD0 right after the header
	w(uint16(3))
	entry := func(tag, typ uint16, count uint32, value [4]byte) {
		w(tag)
		w(typ)
		w(count)
		b.Write(value[:])
	}
	var v [4]byte
	bo.PutUint32(v[:], 640)
	entry(0x0100, 4, 1, v) // ImageWidth, LONG
	v = [4]byte{}
	bo.PutUint16(v[:], uint16(o))
	entry(tagOrientation, typeShort, 1, v)
	bo.PutUint32(v[:], 8+2+3*12+4) // Software string after the IFD
	entry(0x0131, 2, 6, v)
	w(uint32(0)) // no next IFD
	b.WriteString("idgate")
	return b.Bytes()
}

// withEXIF inserts an APP1 Exif segment carrying tiff right after a JPEG's SOI marker.
func withEXIF(jpg, tiff []byte) []byte {
	body := append([]byte(exifHeader), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(body) + 2) >> 8), byte(len(body) + 2)}
	out := append([]byte{0xFF, 0xD8}, seg...)
	out = append(out, body...)
	return append(out, jpg[2:]...)
}

// withEXIfChunk inserts a PNG eXIf chunk carrying tiff after IHDR.
func withEXIfChunk(pngb, tiff []byte) []byte {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	var c bytes.Buffer
	binary.Write(&c, binary.BigEndian, uint32(len(tiff)))
	c.WriteString("eXIf")
	c.Write(tiff)
	binary.Write(&c, binary.BigEndian, crc32.ChecksumIEEE(c.Bytes()[4:]))
	out := append([]byte(nil), pngb[:ihdrEnd]...)
	out = append(out, c.Bytes()...)
	return append(out, pngb[ihdrEnd:]...)
}

// stored returns how a camera stores the upright picture u under orientation o, built from
// the tag's definition (which side of the picture the stored row 0 and column 0 lie on),
// independently of upright's formulas.
func stored(u *image.RGBA, o Orientation) *image.RGBA {
	sides := map[Orientation][2]byte{ // row 0, column 0: Top, Bottom, Left, Right
		1: {'T', 'L'}, 2: {'T', 'R'}, 3: {'B', 'R'}, 4: {'B', 'L'},
		5: {'L', 'T'}, 6: {'R', 'T'}, 7: {'R', 'B'}, 8: {'L', 'B'},
	}[o]
	W, H := u.Rect.Dx(), u.Rect.Dy()
	sw, sh := W, H
	if o >= 5 {
		sw, sh = H, W
	}
	s := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for r := 0; r < sh; r++ {
		for c := 0; c < sw; c++ {
			var x, y int
			switch sides[0] { // stored row r runs away from this side
			case 'T':
				y = r
			case 'B':
				y = H - 1 - r
			case 'L':
				x = r
			case 'R':
				x = W - 1 - r
			}
			switch sides[1] { // stored column c runs away from this side
			case 'T':
				y = c
			case 'B':
				y = H - 1 - c
			case 'L':
				x = c
			case 'R':
				x = W - 1 - c
			}
			s.SetRGBA(c, r, u.RGBAAt(x, y))
		}
	}
	return s
}

func TestTIFFOrientation(t *testing.T) {
	for o := Orientation(1); o <= 8; o++ {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			if got := tiffOrientation(tiffWithOrientation(o, bo)); got != o {
				t.Errorf("%v %d: got %d", bo, o, got)
			}
		}
	}
	good := tiffWithOrientation(6, binary.LittleEndian)
	bad := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	for name, b := range map[string][]byte{
		"empty":           nil,
		"header only":     good[:8],
		"truncated entry": good[:8+2+12+6],
		"bad byte order":  bad(func(b []byte) { b[0] = 'X' }),
		"bad magic":       bad(func(b []byte) { b[2] = 43 }),
		"ifd offset past": bad(func(b []byte) { binary.LittleEndian.PutUint32(b[4:], 1<<31) }),
		"ifd offset max":  bad(func(b []byte) { binary.LittleEndian.PutUint32(b[4:], 0xFFFFFFFF) }),
		"huge entry count": bad(func(b []byte) {
			binary.LittleEndian.PutUint16(b[8:], 0xFFFF)
			binary.LittleEndian.PutUint16(b[8+2+12:], 0x0113) // no orientation entry to stop at
		}),
		"value 0":   bad(func(b []byte) { binary.LittleEndian.PutUint16(b[8+2+12+8:], 0) }),
		"value 9":   bad(func(b []byte) { binary.LittleEndian.PutUint16(b[8+2+12+8:], 9) }),
		"type LONG": bad(func(b []byte) { binary.LittleEndian.PutUint16(b[8+2+12+2:], 4) }),
		"count 2":   bad(func(b []byte) { binary.LittleEndian.PutUint32(b[8+2+12+4:], 2) }),
	} {
		if got := tiffOrientation(b); got != 1 {
			t.Errorf("%s: got %d, want 1", name, got)
		}
	}
}

func TestJPEGOrientation(t *testing.T) {
	plain := encodeJPEG(gradient(16, 8))
	tiff := tiffWithOrientation(8, binary.BigEndian)
	tagged := withEXIF(plain, tiff)
	afterScan := append(append([]byte(nil), plain[:len(plain)-2]...), withEXIF([]byte{0xFF, 0xD8}, tiff)[2:]...)
	for name, c := range map[string]struct {
		in   []byte
		want Orientation
	}{
		"tagged":                    {tagged, 8},
		"no exif":                   {plain, 1},
		"exif after the scan":       {afterScan, 1},
		"segment length past end":   {tagged[:20], 1},
		"fill bytes before markers": {append([]byte{0xFF, 0xD8, 0xFF}, tagged[2:]...), 8},
		"not a jpeg":                {[]byte("GIF89a"), 1},
		"zero segment length":       {[]byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 0, 0, 0}, 1},
	} {
		if got := jpegOrientation(c.in); got != c.want {
			t.Errorf("%s: got %d, want %d", name, got, c.want)
		}
	}
	if got := pngOrientation(withEXIfChunk(encodePNG(gradient(8, 8)), tiff)); got != 8 {
		t.Errorf("png eXIf: got %d", got)
	}
	if got := pngOrientation(encodePNG(gradient(8, 8))); got != 1 {
		t.Errorf("png without eXIf: got %d", got)
	}
}

// TestDecodeUprightAllEight: for each orientation, a picture stored the way that value
// describes, tagged with it, decodes to the upright picture: exactly from PNG, within JPEG's
// loss from JPEG (and far from it when the tag is missing).
func TestDecodeUprightAllEight(t *testing.T) {
	u := gradient(48, 32)
	for y := 0; y < 8; y++ { // a mark in the top-left corner makes every mirror visible
		for x := 0; x < 12; x++ {
			u.Pix[y*u.Stride+4*x] = 255
		}
	}
	for o := Orientation(1); o <= 8; o++ {
		s := stored(u, o)
		tiff := tiffWithOrientation(o, binary.LittleEndian)
		got, err := decodeUpright(withEXIfChunk(encodePNG(s), tiff), testLimits)
		if err != nil {
			t.Fatal(err)
		}
		if d := meanAbsDiff(toRGBA(got), u); d != 0 {
			t.Errorf("png orientation %d: mean difference %.2f", o, d)
		}
		got, err = decodeUpright(withEXIF(encodeJPEG(s), tiff), testLimits)
		if err != nil {
			t.Fatal(err)
		}
		if d := meanAbsDiff(toRGBA(got), u); d > 3 {
			t.Errorf("jpeg orientation %d: mean difference %.2f", o, d)
		}
		if o != 1 {
			untagged, _ := decodeUpright(encodeJPEG(s), testLimits)
			if d := meanAbsDiff(toRGBA(untagged), u); d < 10 {
				t.Errorf("orientation %d untagged: mean difference %.2f, want large", o, d)
			}
		}
	}
}

// meanAbsDiff is the mean absolute channel difference, or 255 when the sizes differ.
func meanAbsDiff(a, b *image.RGBA) float64 {
	if a.Rect.Size() != b.Rect.Size() {
		return 255
	}
	var sum, n float64
	for y := 0; y < a.Rect.Dy(); y++ {
		for x := 0; x < a.Rect.Dx()*4; x++ {
			if x%4 == 3 {
				continue
			}
			d := float64(a.Pix[y*a.Stride+x]) - float64(b.Pix[y*b.Stride+x])
			if d < 0 {
				d = -d
			}
			sum += d
			n++
		}
	}
	return sum / n
}

// TestTemplateAllEightOrientations: a face photo stored under each orientation and tagged
// with it gives the upright photo's face box and (within JPEG's loss) its descriptor.
func TestTemplateAllEightOrientations(t *testing.T) {
	e := extractor(t)
	src, err := jpeg.Decode(bytes.NewReader(readPhoto(t, "bona.jpg")))
	if err != nil {
		t.Fatal(err)
	}
	u := toRGBA(src)
	want, err := e.Template(encodeJPEG(u), Enrol)
	if err != nil {
		t.Fatal(err)
	}
	for o := Orientation(1); o <= 8; o++ {
		s := stored(u, o)
		if o != 1 {
			if _, err := e.Template(encodeJPEG(s), Enrol); err == nil && o >= 5 {
				t.Logf("orientation %d untagged: a face is found lying on its side", o)
			}
		}
		got, err := e.Template(withEXIF(encodeJPEG(s), tiffWithOrientation(o, binary.BigEndian)), Enrol)
		if err != nil {
			t.Fatalf("orientation %d: %v", o, err)
		}
		if d := boxShift(got.Box, want.Box); d > 8 {
			t.Errorf("orientation %d: box %v, upright %v", o, got.Box, want.Box)
		}
		if got.Image.Bounds() != u.Bounds() {
			t.Errorf("orientation %d: image %v, want %v", o, got.Image.Bounds(), u.Bounds())
		}
		dist := distance(t, got.Template, want.Template)
		t.Logf("orientation %d: box %v, distance to upright %.4f", o, got.Box, dist)
		if dist > 0.1 {
			t.Errorf("orientation %d: distance %.4f to the upright descriptor", o, dist)
		}
	}
}

func boxShift(a, b image.Rectangle) int {
	d := 0
	for _, v := range []int{a.Min.X - b.Min.X, a.Min.Y - b.Min.Y, a.Max.X - b.Max.X, a.Max.Y - b.Max.Y} {
		d = max(d, v, -v)
	}
	return d
}

// sampleDir holds Silent-Face-Anti-Spoofing's sample photos, stored sideways with an EXIF tag.
var sampleDir = filepath.Join("..", "..", "..", "shared", "models", "silent-face-anti-spoofing", "sample")

func TestSidewaysPhonePhotos(t *testing.T) {
	e := extractor(t)
	for _, name := range []string{"image_T1.jpg", "image_F1.jpg", "image_F2.jpg"} {
		b, err := os.ReadFile(filepath.Join(sampleDir, name))
		if err != nil {
			t.Skipf("shared sample photos unavailable: %v", err)
		}
		if o := jpegOrientation(b); o != 6 {
			t.Fatalf("%s: orientation %d, want 6", name, o)
		}
		res, err := e.Template(b, Gate)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Image.Bounds() != image.Rect(0, 0, 480, 640) {
			t.Errorf("%s: upright image %v, want 480x640", name, res.Image.Bounds())
		}
	}
}

func distance(t *testing.T, a, b biometric.Template) float32 {
	t.Helper()
	d, err := biometric.Distance(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
