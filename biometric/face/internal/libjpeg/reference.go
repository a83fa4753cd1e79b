package libjpeg

// #cgo CFLAGS: -O3 -march=native
// #cgo LDFLAGS: -lpthread
// #include <stdlib.h>
// #include "reference.h"
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// ErrUnsupported: the JPEG is not one Reference mirrors exactly (see Reference); take the
// reference pipeline itself.
var ErrUnsupported = errors.New("libjpeg: layout not mirrored")

// Reference returns, for a w×h JPEG, what the face package's reference pipeline makes of it,
// bit for bit, in 0.41 of its CPU time (docs/performance.md): img is image/jpeg's decode (the
// same *image.YCbCr, planes and bounds), and pix is libjpeg's decode of image/jpeg's encoding
// of img at the given quality. image/jpeg's integer transforms run in C on the coefficients libjpeg
// entropy-decodes, on two threads when threads > 1.
//
// It mirrors baseline and progressive Huffman YCbCr JPEGs with 4:4:4, 4:2:2 or 4:2:0
// subsampling whose quantisation tables are all defined before the first scan. Anything else
// is ErrUnsupported; corrupt data that libjpeg notices is another error. Either way the caller
// falls back to the reference pipeline, which decides what the input is. The caller checks
// sizes first (image/jpeg's DecodeConfig).
//
// Bit for bit holds for entropy-coded data that follows ITU-T T.81. On data that does not and
// that neither decoder reports (a run of zeros past the end of a block's band: libjpeg stores
// the coefficient and reads on, image/jpeg drops it), the two decode different garbage, and
// Reference gives libjpeg's.
func Reference(b []byte, w, h, quality, threads int) (*image.YCbCr, *image.RGBA, error) {
	if w <= 0 || h <= 0 || int64(w)*int64(h) > 1<<28 {
		return nil, nil, fmt.Errorf("libjpeg: bad size %dx%d", w, h)
	}
	l, err := scanLayout(b)
	if err != nil {
		return nil, nil, err
	}
	var ratio image.YCbCrSubsampleRatio
	switch l.hs<<4 | l.vs {
	case 0x11:
		ratio = image.YCbCrSubsampleRatio444
	case 0x21:
		ratio = image.YCbCrSubsampleRatio422
	case 0x22:
		ratio = image.YCbCrSubsampleRatio420
	default:
		return nil, nil, ErrUnsupported
	}
	// image/jpeg's planes: whole MCUs, the picture a sub-image at the origin.
	mxx, myy := (w+8*l.hs-1)/(8*l.hs), (h+8*l.vs-1)/(8*l.vs)
	full := image.NewYCbCr(image.Rect(0, 0, 8*l.hs*mxx, 8*l.vs*myy), ratio)
	img := full.SubImage(image.Rect(0, 0, w, h)).(*image.YCbCr)
	pix := image.NewRGBA(image.Rect(0, 0, w, h))
	q := quantTables(quality)
	var msg [200]C.char
	rc := C.idgate_jpeg_reference((*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b)), C.int(w), C.int(h),
		C.int(l.hs), C.int(l.vs),
		(*C.uint8_t)(unsafe.Pointer(&full.Y[0])), C.int(full.YStride),
		(*C.uint8_t)(unsafe.Pointer(&full.Cb[0])), (*C.uint8_t)(unsafe.Pointer(&full.Cr[0])), C.int(full.CStride),
		(*C.uint16_t)(unsafe.Pointer(&q[0])), (*C.uint8_t)(unsafe.Pointer(&pix.Pix[0])),
		C.int(threads), maxMemory, &msg[0], C.int(len(msg)))
	switch rc {
	case 0:
		return img, pix, nil
	case C.IDGATE_REF_UNSUPPORTED:
		return nil, nil, fmt.Errorf("%w: %s", ErrUnsupported, C.GoString(&msg[0]))
	}
	return nil, nil, errors.New("libjpeg: " + C.GoString(&msg[0]))
}

// layout is what Reference needs to know of a JPEG before decoding it: the luma component's
// sampling factors.
type layout struct{ hs, vs int }

// scanLayout walks the JPEG's marker segments (skipping entropy-coded data): the frame must be
// baseline, extended or progressive Huffman with three components, and no DQT may follow the
// first scan (image/jpeg dequantises a progressive image with the tables defined last, libjpeg
// with those defined at each component's first scan). A progressive image with restart
// markers is left to image/jpeg too, which refuses some that libjpeg reads.
func scanLayout(b []byte) (layout, error) {
	var l layout
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return l, ErrUnsupported
	}
	i, scans, progressive, restarts := 2, 0, false, false
	for i+2 <= len(b) {
		if b[i] != 0xFF {
			return l, ErrUnsupported
		}
		m := b[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0xD9: // EOI
			if l.hs == 0 || progressive && restarts {
				return l, ErrUnsupported
			}
			return l, nil
		case m >= 0xD0 && m <= 0xD7: // RST outside a scan
			return l, ErrUnsupported
		}
		if i+4 > len(b) {
			return l, ErrUnsupported
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 || i+2+n > len(b) {
			return l, ErrUnsupported
		}
		seg := b[i+4 : i+2+n]
		switch {
		case m == 0xC0 || m == 0xC1 || m == 0xC2:
			if l.hs != 0 || len(seg) != 6+3*3 || seg[0] != 8 || seg[5] != 3 {
				return l, ErrUnsupported
			}
			l.hs, l.vs = int(seg[7]>>4), int(seg[7]&15)
			progressive = m == 0xC2
		case m == 0xDD: // DRI
			restarts = len(seg) != 2 || seg[0] != 0 || seg[1] != 0
		case m >= 0xC3 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			return l, ErrUnsupported // lossless, hierarchical or arithmetic coding
		case m == 0xDB && scans > 0:
			return l, ErrUnsupported
		}
		i += 2 + n
		if m != 0xDA {
			continue
		}
		scans++
		// Entropy-coded data runs to the next marker that is neither a stuffed zero nor RST.
		for i+1 < len(b) && !(b[i] == 0xFF && b[i+1] != 0 && (b[i+1] < 0xD0 || b[i+1] > 0xD7)) {
			i++
		}
	}
	return l, ErrUnsupported
}

// quantTables are image/jpeg's quantisation tables for quality (clipped to 1-100): the
// example tables of ITU-T T.81 Annex K scaled as image/jpeg and libjpeg scale them, natural
// order, luma then chroma.
func quantTables(quality int) [128]uint16 {
	quality = min(max(quality, 1), 100)
	scale := 200 - 2*quality
	if quality < 50 {
		scale = 5000 / quality
	}
	var q [128]uint16
	for i, v := range annexK {
		q[i] = uint16(min(max((int(v)*scale+50)/100, 1), 255))
	}
	return q
}

// annexK holds ITU-T T.81 Tables K.1 (luminance) and K.2 (chrominance), natural order.
var annexK = [128]uint8{
	16, 11, 10, 16, 24, 40, 51, 61,
	12, 12, 14, 19, 26, 58, 60, 55,
	14, 13, 16, 24, 40, 57, 69, 56,
	14, 17, 22, 29, 51, 87, 80, 62,
	18, 22, 37, 56, 68, 109, 103, 77,
	24, 35, 55, 64, 81, 104, 113, 92,
	49, 64, 78, 87, 103, 121, 120, 101,
	72, 92, 95, 98, 112, 100, 103, 99,

	17, 18, 24, 47, 99, 99, 99, 99,
	18, 21, 26, 66, 99, 99, 99, 99,
	24, 26, 56, 99, 99, 99, 99, 99,
	47, 66, 99, 99, 99, 99, 99, 99,
	99, 99, 99, 99, 99, 99, 99, 99,
	99, 99, 99, 99, 99, 99, 99, 99,
	99, 99, 99, 99, 99, 99, 99, 99,
	99, 99, 99, 99, 99, 99, 99, 99,
}
