// Package libjpeg decodes JPEGs with the system's libjpeg-turbo (Debian libjpeg62-turbo),
// several times faster than image/jpeg on camera photos. The caller validates sizes first
// (image/jpeg's DecodeConfig): Decode checks that libjpeg reads the same size and refuses
// corrupt data that libjpeg would otherwise fill in with grey.
//
// Reference computes the face package's reference pictures (image/jpeg's decode, and
// libjpeg's decode of image/jpeg's re-encoding of it) bit for bit without Go's codec: libjpeg
// entropy-decodes and entropy-encodes, and image/jpeg's integer transforms run in C between.
package libjpeg

// #cgo LDFLAGS: -ljpeg
// #include <stdlib.h>
// #include "decode.h"
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// maxMemory bounds libjpeg's working memory (a progressive JPEG keeps every coefficient:
// 2 bytes × 3 components per pixel at most, 24 MB at 4 MP), beyond the output image.
const maxMemory = 64 << 20

// Decode decodes a w×h JPEG into an opaque RGBA image at origin (0, 0) with libjpeg's default
// settings (those of go-face's loader: the same pixels).
func Decode(b []byte, w, h int) (*image.RGBA, error) {
	if len(b) == 0 {
		return nil, errors.New("libjpeg: empty input")
	}
	if w <= 0 || h <= 0 || int64(w)*int64(h) > 1<<28 {
		return nil, fmt.Errorf("libjpeg: bad size %dx%d", w, h)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	var msg [200]C.char
	if C.idgate_jpeg_decode_rgba((*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b)),
		(*C.uint8_t)(unsafe.Pointer(&img.Pix[0])), C.int(w), C.int(h), maxMemory, &msg[0], C.int(len(msg))) != 0 {
		return nil, errors.New("libjpeg: " + C.GoString(&msg[0]))
	}
	return img, nil
}
