package facemodel

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
)

// encoder writes dlib's portable serialization primitives (dlib/serialize.h,
// dlib/float_details.h). The first write error sticks and is reported by err.
type encoder struct {
	w   *bufio.Writer
	buf [9]byte
	e   error
}

func newEncoder(w io.Writer) *encoder { return &encoder{w: bufio.NewWriterSize(w, 1<<16)} }

func (c *encoder) write(p []byte) {
	if c.e == nil {
		_, c.e = c.w.Write(p)
	}
}

// flush returns the first error seen.
func (c *encoder) flush() error {
	if c.e != nil {
		return c.e
	}
	return c.w.Flush()
}

// appendInt encodes v as dlib does: a size byte (0x80 if negative) followed by the
// little-endian bytes of |v|, shortest form; zero is one 0x00 byte.
func appendInt(dst []byte, v int64) []byte {
	var neg byte
	u := uint64(v)
	if v < 0 {
		neg = 0x80
		u = uint64(-v) // MinInt64 wraps to itself, which is its magnitude as uint64
	}
	var b [8]byte
	n := 0
	for {
		b[n] = byte(u)
		n++
		u >>= 8
		if u == 0 || n == 8 {
			break
		}
	}
	dst = append(dst, byte(n)|neg)
	return append(dst, b[:n]...)
}

func (c *encoder) int(v int64) { c.write(appendInt(c.buf[:0], v)) }

func (c *encoder) str(s string) {
	c.int(int64(len(s)))
	c.write([]byte(s))
}

func (c *encoder) bool(b bool) {
	if b {
		c.write([]byte{'1'})
	} else {
		c.write([]byte{'0'})
	}
}

func (c *encoder) byte(b byte) { c.write([]byte{b}) }

// Special exponents dlib uses for non-finite values.
const (
	expInf  = 32000
	expNInf = 32001
	expNaN  = 32002
)

// floatDetails is dlib's float_details: v == man * 2^exp, with digits = 24 (float) or 53 (double).
func floatDetails(v float64, digits int) (man int64, exp int16) {
	switch {
	case math.IsInf(v, 1):
		return 0, expInf
	case math.IsInf(v, -1):
		return 0, expNInf
	case math.IsNaN(v):
		return 0, expNaN
	}
	frac, e := math.Frexp(v)
	man = int64(frac * float64(uint64(1)<<digits))
	e -= digits
	for i := 0; i < 8 && man&0xFF == 0; i++ {
		man >>= 8
		e += 8
	}
	return man, int16(e)
}

func appendFloat(dst []byte, v float64, digits int) []byte {
	man, exp := floatDetails(v, digits)
	dst = appendInt(dst, man)
	return appendInt(dst, int64(exp))
}

// float32 and float64 as dlib serializes `float` and `double`.
func (c *encoder) f32(v float32) { c.write(appendFloat(nil, float64(v), 24)) }
func (c *encoder) f64(v float64) { c.write(appendFloat(nil, v, 53)) }

// tensor writes a resizable_tensor: version 2, the shape, then raw little-endian float32s.
func (c *encoder) tensor(n, k, nr, nc int, data []float32) {
	c.int(2)
	c.shape(n, k, nr, nc)
	var b [4]byte
	for _, x := range data {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		c.write(b[:])
	}
}

// emptyTensor is a default-constructed tensor (all dimensions zero).
func (c *encoder) emptyTensor() { c.tensor(0, 0, 0, 0, nil) }

// alias writes an alias_tensor: version 1 and its shape, no data.
func (c *encoder) alias(n, k, nr, nc int) {
	c.int(1)
	c.shape(n, k, nr, nc)
}

func (c *encoder) shape(n, k, nr, nc int) {
	c.int(int64(n))
	c.int(int64(k))
	c.int(int64(nr))
	c.int(int64(nc))
}
