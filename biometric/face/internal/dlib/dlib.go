// Package dlib is idgate's cgo binding to dlib's face detectors (HOG and MMOD CNN), shape
// predictor and ResNet face descriptor, taking raw RGB or RGBA pixels. Unlike go-face's
// Recognize, which detects, places landmarks and describes every face of one JPEG in one call,
// it lets the caller search only the coarse levels of the HOG detector's pyramid (with the full
// search's boxes) or a scaled copy, and describe only the chosen face at full resolution. The
// HOG search (hog.cc) and the descriptor's convolutions (conv2.cc) run on one or two threads
// as the caller asks, with dlib's boxes, confidences and descriptors bit for bit either way. It
// lives in its own package so that the long C++ compile is redone only when it changes.
package dlib

// #cgo CXXFLAGS: -std=c++17 -Wall -O3 -DNDEBUG -march=native
// #cgo LDFLAGS: -ldlib -lblas -lcblas -llapack
// #include <stdlib.h>
// #include "dlib.h"
import "C"

import (
	"errors"
	"image"
	"unsafe"
)

// maxDetections bounds how many face boxes one detection returns.
const maxDetections = 64

// maxParts is the most landmarks a shape predictor may return (dlib's models have 5 or 68).
const maxParts = 194

// Engine is one set of loaded dlib models (~120 MB). Not safe for concurrent use.
type Engine struct {
	ptr *C.idgate_dlib
}

// RGB is a packed 8-bit RGB image: 3 bytes a pixel, rows of 3*W bytes.
type RGB struct {
	Pix  []byte
	W, H int
}

func cError(p *C.char) error {
	if p == nil {
		return errors.New("dlib failed")
	}
	defer C.free(unsafe.Pointer(p))
	return errors.New(C.GoString(p))
}

// New loads the shape predictor and the ResNet from dir, and the CNN detector when cnn is set.
func New(dir string, cnn bool) (*Engine, error) {
	cdir := C.CString(dir)
	defer C.free(unsafe.Pointer(cdir))
	var cerr *C.char
	c := C.int(0)
	if cnn {
		c = 1
	}
	p := C.idgate_dlib_new(cdir, c, &cerr)
	if p == nil {
		return nil, cError(cerr)
	}
	return &Engine{ptr: p}, nil
}

// Close frees the models; the Engine is unusable afterwards.
func (d *Engine) Close() {
	if d.ptr != nil {
		C.idgate_dlib_free(d.ptr)
		d.ptr = nil
	}
}

// Detect returns the face boxes in img (left to right, top to bottom), from the HOG detector
// on threads threads (1 or 2; the boxes are the same) or, with cnn, the CNN one (which New must
// have loaded).
func (d *Engine) Detect(img RGB, cnn bool, threads int) ([]image.Rectangle, error) {
	if img.W <= 0 || img.H <= 0 || len(img.Pix) < 3*img.W*img.H {
		return nil, errors.New("bad image")
	}
	boxes, _, err := d.detect((*C.uint8_t)(unsafe.Pointer(&img.Pix[0])), 3*img.W, 3, img.W, img.H, cnn, 0, max(threads, 1))
	return boxes, err
}

// detect is idgate_dlib_detect: the boxes found and their detection confidences.
func (d *Engine) detect(pix *C.uint8_t, stride, bpp, w, h int, cnn bool, skip, threads int) ([]image.Rectangle, []float64, error) {
	var rects [4 * maxDetections]C.long
	var scores [maxDetections]C.double
	var cerr *C.char
	c := C.int(0)
	if cnn {
		c = 1
	}
	n := C.idgate_dlib_detect(d.ptr, pix, C.int(stride), C.int(bpp), C.int(w), C.int(h), c, C.int(skip), C.int(threads),
		&rects[0], &scores[0], maxDetections, &cerr)
	if n < 0 {
		return nil, nil, cError(cerr)
	}
	out := make([]image.Rectangle, min(int(n), maxDetections))
	conf := make([]float64, len(out))
	for i := range out {
		out[i] = image.Rect(int(rects[4*i]), int(rects[4*i+1]), int(rects[4*i+2]), int(rects[4*i+3]))
		conf[i] = float64(scores[i])
	}
	return out, conf, nil
}

// pyramid is level levels of the HOG detector's image pyramid of img, built on threads
// threads (negative: dlib's own pyramid_down), for tests.
func pyramid(img RGB, levels, threads int) (RGB, error) {
	if img.W <= 0 || img.H <= 0 || len(img.Pix) < 3*img.W*img.H {
		return RGB{}, errors.New("bad image")
	}
	out := make([]byte, 3*img.W*img.H)
	var w, h C.int
	var cerr *C.char
	if C.idgate_dlib_pyramid((*C.uint8_t)(unsafe.Pointer(&img.Pix[0])), C.int(img.W), C.int(img.H), C.int(levels),
		C.int(threads), (*C.uint8_t)(unsafe.Pointer(&out[0])), &w, &h, &cerr) < 0 {
		return RGB{}, cError(cerr)
	}
	return RGB{Pix: out[:3*int(w)*int(h)], W: int(w), H: int(h)}, nil
}

// rgbaArgs checks img and returns its first pixel, stride and size for C.
func rgbaArgs(img *image.RGBA) (*C.uint8_t, int, int, int, error) {
	r := img.Rect
	if r.Dx() <= 0 || r.Dy() <= 0 || img.Stride < 4*r.Dx() {
		return nil, 0, 0, 0, errors.New("bad image")
	}
	off := img.PixOffset(r.Min.X, r.Min.Y)
	if off < 0 || off+(r.Dy()-1)*img.Stride+4*r.Dx() > len(img.Pix) {
		return nil, 0, 0, 0, errors.New("bad image")
	}
	return (*C.uint8_t)(unsafe.Pointer(&img.Pix[off])), img.Stride, r.Dx(), r.Dy(), nil
}

// DetectRGBA is Detect on img (alpha ignored; boxes relative to img.Rect.Min). With the HOG
// detector and skip > 0, only the levels of its image pyramid from level skip on are
// searched: each box found is one the full search's scan finds at that level (faces larger
// than about 80 px × 1.2^skip), at the cost of searching an image (5/6)^skip as large.
func (d *Engine) DetectRGBA(img *image.RGBA, cnn bool, skip, threads int) ([]image.Rectangle, error) {
	boxes, _, err := d.detectRGBA(img, cnn, skip, max(threads, 1))
	return boxes, err
}

// detectRGBA is DetectRGBA on the given number of threads, with the confidences.
func (d *Engine) detectRGBA(img *image.RGBA, cnn bool, skip, threads int) ([]image.Rectangle, []float64, error) {
	pix, stride, w, h, err := rgbaArgs(img)
	if err != nil {
		return nil, nil, err
	}
	return d.detect(pix, stride, 4, w, h, cnn, skip, threads)
}

// DescribeRGBA places the landmarks of the face in box and computes its descriptor from the
// 150x150 chip with padding 0.25 (go-face's parameters), on img (alpha ignored), with the
// ResNet's convolutions on threads threads (1 or 2; with ATLAS the descriptor is the same bit
// for bit, see conv2.h); box and landmarks are relative to img.Rect.Min.
func (d *Engine) DescribeRGBA(img *image.RGBA, box image.Rectangle, threads int) ([]image.Point, [128]float32, error) {
	return d.describeRGBA(img, box, max(threads, 1))
}

// describeRGBA is DescribeRGBA with the test values of threads too (conv_threads in conv2.h).
func (d *Engine) describeRGBA(img *image.RGBA, box image.Rectangle, threads int) ([]image.Point, [128]float32, error) {
	var desc [128]float32
	pix, stride, w, h, err := rgbaArgs(img)
	if err != nil {
		return nil, desc, err
	}
	var parts [2 * maxParts]C.long
	var cerr *C.char
	n := C.idgate_dlib_describe_rgba(d.ptr, pix, C.int(stride), C.int(w), C.int(h),
		C.long(box.Min.X), C.long(box.Min.Y), C.long(box.Max.X), C.long(box.Max.Y), C.int(threads),
		&parts[0], maxParts, (*C.float)(unsafe.Pointer(&desc[0])), &cerr)
	if n < 0 {
		return nil, desc, cError(cerr)
	}
	pts := make([]image.Point, min(int(n), maxParts))
	for i := range pts {
		pts[i] = image.Pt(int(parts[2*i]), int(parts[2*i+1]))
	}
	return pts, desc, nil
}
