package face

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/idgate/idgate/internal/facetest"
)

// Shared test data lives outside the repo; the product never reads it.
var imagesDir = filepath.Join("..", "..", "..", "shared", "faces", "go-face-testdata", "images")

func readPhoto(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(imagesDir, name))
	if err != nil {
		t.Skipf("shared photo %s unavailable: %v", name, err)
	}
	return b
}

// personOf is the file name without digits and extension ("jimin3.jpg" -> "jimin").
func personOf(name string) string {
	return strings.TrimRightFunc(strings.TrimSuffix(name, filepath.Ext(name)), unicode.IsDigit)
}

var (
	sharedOnce sync.Once
	sharedExt  *Extractor
	sharedErr  error
)

// modelsDir returns $IDGATE_MODELS or skips with a clear message.
func modelsDir(t testing.TB) string {
	return facetest.ModelsDir(t)
}

// extractor is one 2-worker Extractor shared by the tests (loading costs ~1.5 s per worker).
func extractor(t testing.TB) *Extractor {
	t.Helper()
	dir := modelsDir(t)
	sharedOnce.Do(func() { sharedExt, sharedErr = New(Config{ModelsDir: dir, Workers: 2}) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedExt
}

func encodeJPEG(img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x + y), 255})
		}
	}
	return img
}

// toGray converts any image to 8-bit grayscale.
func toGray(img image.Image) *image.Gray {
	g := image.NewGray(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}

// cmykJPEG hand-writes a baseline 4-component Adobe JPEG (transform 0, i.e. CMYK), which Go's
// encoder cannot produce: every block is DC-only with a zero difference, so one Huffman code
// per table suffices and each 4-block MCU is a single 0x00 byte.
func cmykJPEG(w, h int) []byte {
	var b bytes.Buffer
	seg := func(marker byte, body []byte) {
		b.Write([]byte{0xFF, marker})
		binary.Write(&b, binary.BigEndian, uint16(len(body)+2))
		b.Write(body)
	}
	b.Write([]byte{0xFF, 0xD8})
	seg(0xEE, append([]byte("Adobe"), 0, 100, 0, 0, 0, 0, 0)) // APP14, transform 0
	seg(0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))
	sof := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 4}
	for id := byte(1); id <= 4; id++ {
		sof = append(sof, id, 0x11, 0)
	}
	seg(0xC0, sof)
	dht := func(class byte) []byte { // one code of length 1 for symbol 0 (DC size 0 / AC EOB)
		t := []byte{class << 4, 1}
		return append(append(t, make([]byte, 15)...), 0)
	}
	seg(0xC4, append(dht(0), dht(1)...))
	sos := []byte{4}
	for id := byte(1); id <= 4; id++ {
		sos = append(sos, id, 0x00)
	}
	seg(0xDA, append(sos, 0, 63, 0))
	b.Write(make([]byte, ((w+7)/8)*((h+7)/8)))
	b.Write([]byte{0xFF, 0xD9})
	return b.Bytes()
}

// pngWithSize rewrites a PNG's IHDR dimensions (fixing the CRC): a decompression-bomb header.
func pngWithSize(src []byte, w, h uint32) []byte {
	b := append([]byte(nil), src...)
	// 8-byte signature, 4-byte length, "IHDR", then width and height.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	crc := crc32.ChecksumIEEE(b[12:29])
	binary.BigEndian.PutUint32(b[29:], crc)
	return b
}

// jpegWithSize rewrites the SOF0 dimensions of a Go-encoded JPEG.
func jpegWithSize(src []byte, w, h uint16) []byte {
	b := append([]byte(nil), src...)
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(b[i+5:], h)
	binary.BigEndian.PutUint16(b[i+7:], w)
	return b
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
