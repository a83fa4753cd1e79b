package face

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzTemplate feeds untrusted bytes to the image entry point. With models available it runs
// the whole Template path (so dlib only ever sees our re-encoded JPEGs); without, the pure-Go
// validation. Either way: a result or a typed *Error, never a panic.
func FuzzTemplate(f *testing.F) {
	good := encodeJPEG(gradient(48, 32))
	goodPNG := encodePNG(gradient(24, 16))
	seeds := [][]byte{
		good, goodPNG,
		encodeJPEG(toGray(gradient(40, 40))),
		cmykJPEG(16, 16),
		good[:len(good)/2],
		pngWithSize(goodPNG, 60000, 60000),
		jpegWithSize(good, 65535, 65535),
		[]byte{0xFF, 0xD8, 0xFF, 0xE0},
		{},
	}
	if b, err := os.ReadFile(imagesDir + "/bona2.jpg"); err == nil {
		seeds = append(seeds, b) // real progressive photo with one face
	}
	for _, s := range seeds {
		f.Add(s)
	}
	var e *Extractor
	if os.Getenv("IDGATE_MODELS") != "" {
		e = extractor(f)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var err error
		if e != nil {
			_, err = e.Template(b, Gate)
		} else {
			_, err = decodeUpright(b, testLimits)
		}
		var fe *Error
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("untyped error %v", err)
		}
		if errors.Is(err, ErrInternal) {
			t.Fatalf("engine failed on validated input: %v", err)
		}
	})
}

// FuzzOrientation feeds untrusted bytes to the EXIF readers (JPEG APP1, PNG eXIf, TIFF IFD0),
// seeded with real camera headers when ../shared is present and generated ones always: any
// input yields an orientation in 1..8 and never a panic.
func FuzzOrientation(f *testing.F) {
	for o := Orientation(1); o <= 8; o++ {
		f.Add(withEXIF(encodeJPEG(gradient(8, 8)), tiffWithOrientation(o, binary.LittleEndian)))
		f.Add(withEXIfChunk(encodePNG(gradient(4, 4)), tiffWithOrientation(o, binary.BigEndian)))
	}
	for _, name := range []string{"image_T1.jpg", "image_F1.jpg", "image_F2.jpg"} {
		if b, err := os.ReadFile(filepath.Join(sampleDir, name)); err == nil {
			f.Add(b[:min(len(b), 4096)]) // Shotwell's little-endian EXIF, orientation 6
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, o := range []Orientation{jpegOrientation(b), pngOrientation(b), tiffOrientation(b)} {
			if o < 1 || o > 8 {
				t.Fatalf("orientation %d", o)
			}
		}
		if len(b) > 6 {
			if o := jpegOrientation(withEXIF([]byte{0xFF, 0xD8}, b)); o < 1 || o > 8 {
				t.Fatalf("orientation %d", o)
			}
		}
	})
}
