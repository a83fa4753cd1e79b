package liveness

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// loadUpright decodes a JPEG from testdata with Go's image/jpeg and applies its EXIF
// orientation (the samples carry 1 or 6; others fail the test) into an RGBA image.
func loadUpright(t testing.TB, name string) *image.RGBA {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	src := image.NewRGBA(img.Bounds())
	draw.Draw(src, src.Bounds(), img, img.Bounds().Min, draw.Src)
	switch o := exifOrientation(b); o {
	case 1:
		return src
	case 6: // rotate 90° clockwise
		w, h := src.Bounds().Dx(), src.Bounds().Dy()
		dst := image.NewRGBA(image.Rect(0, 0, h, w))
		for y := 0; y < w; y++ {
			for x := 0; x < h; x++ {
				copy(dst.Pix[dst.PixOffset(x, y):dst.PixOffset(x, y)+4], src.Pix[src.PixOffset(y, h-1-x):src.PixOffset(y, h-1-x)+4])
			}
		}
		return dst
	default:
		t.Fatalf("%s: EXIF orientation %d not handled by this helper", name, o)
	}
	return nil
}

// exifOrientation reads the Orientation tag (0x0112) of a JPEG's APP1 Exif segment; 1 if none.
func exifOrientation(b []byte) int {
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		marker, n := b[i+1], int(binary.BigEndian.Uint16(b[i+2:]))
		if i+2+n > len(b) {
			break
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			tiff := seg[6:]
			var bo binary.ByteOrder = binary.BigEndian
			if string(tiff[:2]) == "II" {
				bo = binary.LittleEndian
			}
			ifd := int(bo.Uint32(tiff[4:]))
			if ifd+2 > len(tiff) {
				return 1
			}
			cnt := int(bo.Uint16(tiff[ifd:]))
			for e := 0; e < cnt; e++ {
				p := ifd + 2 + 12*e
				if p+12 > len(tiff) {
					return 1
				}
				if bo.Uint16(tiff[p:]) == 0x0112 {
					return int(bo.Uint16(tiff[p+8:]))
				}
			}
			return 1
		}
		if marker == 0xDA {
			break
		}
		i += 2 + n
	}
	return 1
}
