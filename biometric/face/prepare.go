package face

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"github.com/idgate/idgate/biometric/face/internal/libjpeg"
)

// Defaults for Config's limits.
const (
	DefaultMaxBytes    = 15 << 20   // 15 MiB of encoded image
	DefaultMaxPixels   = 24_000_000 // 24 MP; RGBA decode of that is ~96 MB
	DefaultMinFaceSize = 80         // px, the smallest face dlib's HOG detector finds unscaled
	// GateMaxPixels is the MaxPixels for an extractor that only sees gate camera captures
	// (1-2 MP): a 24 MP 16-bit PNG of 196 KB decodes to 275 MB and takes seconds of CPU.
	GateMaxPixels = 4_000_000
	// FastDetectSize is a DetectSize for gates: at 640 px the HOG detector (smallest face
	// ~80 px) still finds faces of 125 px in a 1000x1000 capture, and a face it misses there is
	// looked for again at full resolution.
	FastDetectSize = 640
)

// limits are the checks applied before any byte reaches dlib.
type limits struct {
	maxBytes, maxPixels int
}

// decodeUpright validates untrusted bytes, decodes them once with Go's decoders and applies
// the EXIF orientation. The result is an opaque *image.YCbCr (most JPEGs) or *image.RGBA at
// origin (0, 0).
func decodeUpright(b []byte, l limits) (image.Image, error) {
	return decodeUprightWith(b, l, false)
}

// referencePixels takes libjpeg.Reference's route to what decodeUpright and dlibPixels make of
// a JPEG that needs no turning upright (EXIF orientation 1): the same *image.YCbCr and the same
// dlib pixels. ok is false for anything else, sent to the pipeline itself.
func referencePixels(b []byte, l limits, threads int) (up image.Image, pix *image.RGBA, ok bool) {
	if len(b) == 0 || len(b) > l.maxBytes || !bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) {
		return nil, nil, false
	}
	defer func() {
		if recover() != nil {
			up, pix, ok = nil, nil, false
		}
	}()
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > int64(l.maxPixels) ||
		jpegOrientation(b) != 1 {
		return nil, nil, false
	}
	y, pix, err := libjpeg.Reference(b, cfg.Width, cfg.Height, dlibQuality, threads)
	if err != nil {
		return nil, nil, false
	}
	return y, pix, true
}

// decodeUprightWith is decodeUpright; with turbo, JPEGs are decoded by libjpeg-turbo into an
// *image.RGBA (by image/jpeg if libjpeg refuses one, e.g. CMYK).
func decodeUprightWith(b []byte, l limits, turbo bool) (img image.Image, err error) {
	if len(b) == 0 {
		return nil, wrap(ErrUndecodable, "empty input")
	}
	if len(b) > l.maxBytes {
		return nil, wrap(ErrTooLarge, fmt.Sprintf("%d bytes, limit %d", len(b), l.maxBytes))
	}
	var decodeConfig func([]byte) (image.Config, error)
	var decode func([]byte) (image.Image, error)
	var orientation func([]byte) Orientation
	isJPEG := bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF})
	switch {
	case isJPEG:
		decodeConfig = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
		orientation = jpegOrientation
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		decodeConfig = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
		orientation = pngOrientation
	default:
		return nil, wrap(ErrUndecodable, "not a JPEG or PNG")
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, wrap(ErrUndecodable, "decoder failure")
		}
	}()
	cfg, err := decodeConfig(b)
	if err != nil {
		return nil, wrap(ErrUndecodable, err.Error())
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, wrap(ErrUndecodable, "zero-size image")
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(l.maxPixels) {
		return nil, wrap(ErrTooLarge, fmt.Sprintf("%dx%d pixels, limit %d", cfg.Width, cfg.Height, l.maxPixels))
	}
	img = nil
	if turbo && isJPEG {
		// libjpeg-turbo decodes ~4x faster; what it refuses (CMYK, corrupt data it would fill
		// with grey) image/jpeg decides.
		if m, err := libjpeg.Decode(b, cfg.Width, cfg.Height); err == nil {
			if o := orientation(b); o != 1 {
				return upright(m, o), nil
			}
			return m, nil // opaque, at (0, 0)
		}
	}
	if img == nil {
		img, err = decode(b)
	}
	if err != nil {
		return nil, wrap(ErrUndecodable, err.Error())
	}
	r := img.Bounds()
	if r.Dx() != cfg.Width || r.Dy() != cfg.Height {
		return nil, wrap(ErrUndecodable, "decoded size differs from header")
	}
	if o := orientation(b); o != 1 {
		return upright(img, o), nil
	}
	// Gray, CMYK, paletted, 16-bit and alpha images all become opaque RGBA; YCbCr (JPEGs
	// image/jpeg decoded) is kept as decoded, skipping an RGBA copy.
	if y, ok := img.(*image.YCbCr); ok && r.Min == (image.Point{}) {
		return y, nil
	}
	return toRGBA(img), nil
}
