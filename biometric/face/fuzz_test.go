package face

import (
	"errors"
	"os"
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
			_, err = prepare(b, testLimits)
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
