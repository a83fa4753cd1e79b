package libjpeg

// -march=native as for dlib.cc: the transforms vectorise (0.8 of the portable build's time).
// The binary then runs only on CPUs with the build machine's instruction set.

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
// bit for bit, in ~0.36 of its CPU time (docs/performance.md): img is image/jpeg's decode (the
// same *image.YCbCr, planes and bounds), and pix is libjpeg's decode of image/jpeg's encoding
// of img at the given quality. image/jpeg's integer transforms run in C on the coefficients
// libjpeg entropy-decodes, and libjpeg's decode of the re-encode is computed from its
// coefficients (coefpixels.c), all on two threads when threads > 1.
//
// It mirrors baseline and progressive Huffman YCbCr JPEGs with 4:4:4, 4:2:2 or 4:2:0
// subsampling whose quantisation tables are all defined before the first scan. Anything else
// is ErrUnsupported; corrupt data that libjpeg notices is another error. Either way the caller
// falls back to the reference pipeline, which decides what the input is. The caller checks
// sizes first (image/jpeg's DecodeConfig).
//
// Bit for bit (inside the picture: the planes' MCU padding is left zero) holds for
// entropy-coded data that follows ITU-T T.81. On data that does not and that libjpeg does not
// report (a run of zeros past the end of a block's band: libjpeg stores the coefficient and
// reads on, image/jpeg drops it; a coefficient beyond 16 bits: libjpeg wraps it, image/jpeg
// keeps 32), the two decode different garbage, or image/jpeg refuses what libjpeg reads, and
// Reference gives libjpeg's picture.
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

// scanLayout walks the JPEG's marker segments (skipping entropy-coded data) and takes only what
// image/jpeg and libjpeg read alike: SOF0-2 with three 8-bit components; DHT, DQT, DRI, SOS,
// COM, and APPn before the first scan; nothing else. It repeats image/jpeg's checks that
// libjpeg does not make (or makes differently): Huffman tables defined before a scan uses
// them, with 1-256 codes and, in a baseline frame, ids 0-1; DQT precision 0 or 1. It also
// refuses what the two decode differently although both accept it: a DQT after the first scan
// (image/jpeg dequantises a progressive image with the tables defined last, libjpeg with those
// of each component's first scan), an APPn after the first scan (image/jpeg decides RGB or
// YCbCr at the end), and restart markers in a progressive image or a scan of fewer than three
// components (image/jpeg miscounts them there).
func scanLayout(b []byte) (layout, error) {
	var l layout
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return l, ErrUnsupported
	}
	var (
		i                     = 2
		scans                 int
		baseline, progressive bool
		restarts, singleScan  bool
		defined               [2][4]bool // Huffman tables by class (DC, AC) and id
	)
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
			if l.hs == 0 || scans == 0 || restarts && (progressive || singleScan) {
				return l, ErrUnsupported
			}
			return l, nil
		case m < 0xC0 || m >= 0xD0 && m <= 0xD8:
			return l, ErrUnsupported // FF00 or RST outside a scan, a second SOI, reserved
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
			baseline, progressive = m == 0xC0, m == 0xC2
		case m == 0xC4:
			if !huffmanTables(seg, baseline, &defined) {
				return l, ErrUnsupported
			}
		case m == 0xDB:
			if scans > 0 || !quantTablesOK(seg) {
				return l, ErrUnsupported
			}
		case m == 0xDD:
			if len(seg) != 2 {
				return l, ErrUnsupported
			}
			restarts = restarts || seg[0] != 0 || seg[1] != 0
		case m == 0xDA:
			ns, ok := scanUsesDefinedTables(seg, progressive, &defined)
			if !ok || l.hs == 0 {
				return l, ErrUnsupported
			}
			singleScan = singleScan || ns < 3
		case m >= 0xE0 && m <= 0xEF:
			if scans > 0 {
				return l, ErrUnsupported
			}
		case m == 0xFE: // COM
		default:
			return l, ErrUnsupported // lossless, hierarchical, arithmetic, DNL, JPGn, ...
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

// huffmanTables checks a DHT segment as image/jpeg's processDHT does and records its tables.
func huffmanTables(seg []byte, baseline bool, defined *[2][4]bool) bool {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return false
		}
		tc, th := seg[0]>>4, seg[0]&15
		if tc > 1 || th > 3 || baseline && th > 1 {
			return false
		}
		codes := 0
		for _, c := range seg[1:17] {
			codes += int(c)
		}
		if codes == 0 || codes > 256 || len(seg) < 17+codes {
			return false
		}
		defined[tc][th] = true
		seg = seg[17+codes:]
	}
	return true
}

// quantTablesOK checks a DQT segment as image/jpeg's processDQT does.
func quantTablesOK(seg []byte) bool {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, seg[0]&15
		size := 64
		if pq == 1 {
			size = 128
		}
		if pq > 1 || tq > 3 || len(seg) < 1+size {
			return false
		}
		seg = seg[1+size:]
	}
	return true
}

// scanUsesDefinedTables parses an SOS segment: its component count, and whether every Huffman
// table it decodes with is defined (image/jpeg fails on an undefined one; libjpeg substitutes
// the standard tables).
func scanUsesDefinedTables(seg []byte, progressive bool, defined *[2][4]bool) (int, bool) {
	if len(seg) < 1 {
		return 0, false
	}
	ns := int(seg[0])
	if ns < 1 || ns > 3 || len(seg) != 1+2*ns+3 {
		return 0, false
	}
	ss, ah := seg[1+2*ns], seg[3+2*ns]>>4
	for k := 0; k < ns; k++ {
		td, ta := seg[2+2*k]>>4, seg[2+2*k]&15
		if td > 3 || ta > 3 {
			return 0, false
		}
		useDC := !progressive || ss == 0 && ah == 0
		useAC := !progressive || ss > 0
		if useDC && !defined[0][td] || useAC && !defined[1][ta] {
			return 0, false
		}
	}
	return ns, true
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
