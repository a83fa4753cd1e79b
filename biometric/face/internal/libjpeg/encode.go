package libjpeg

// #include <stdlib.h>
// #include "encode.h"
import "C"

import (
	"errors"
	"image"
	"unsafe"
)

// encodeOptions are the layouts libEncode can write that image/jpeg cannot.
type encodeOptions struct {
	quality     int
	hs, vs      int // luma sampling factors; chroma is 1x1
	progressive bool
	restart     int // restart interval in MCUs, 0 for none
}

// libEncode writes img with libjpeg; the tests use it to make JPEGs image/jpeg reads but cannot
// write.
func libEncode(img *image.RGBA, o encodeOptions) ([]byte, error) {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	rgb := make([]byte, 3*w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p := img.RGBAAt(r.Min.X+x, r.Min.Y+y)
			copy(rgb[3*(y*w+x):], []byte{p.R, p.G, p.B})
		}
	}
	var out *C.uint8_t
	var n C.ulong
	var msg [200]C.char
	prog := 0
	if o.progressive {
		prog = 1
	}
	if C.idgate_jpeg_encode_rgb((*C.uint8_t)(unsafe.Pointer(&rgb[0])), C.int(w), C.int(h), C.int(o.quality),
		C.int(o.hs), C.int(o.vs), C.int(prog), C.int(o.restart), &out, &n, &msg[0], C.int(len(msg))) != 0 {
		return nil, errors.New("libjpeg: " + C.GoString(&msg[0]))
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}
