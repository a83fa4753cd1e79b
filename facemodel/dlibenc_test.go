package facemodel

import (
	"bytes"
	"encoding/hex"
	"math"
	"testing"
)

func enc(f func(c *encoder)) string {
	var b bytes.Buffer
	c := newEncoder(&b)
	f(c)
	if err := c.flush(); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b.Bytes())
}

// Hand-checked against dlib/serialize.h and bytes of the real mmod_human_face_detector.dat
// (e.g. "0150" = 80, "0110 8104" = double 1.0, "0110 8105" = 0.5, "03 6290f5 8111" = 122.782f).
func TestPrimitives(t *testing.T) {
	tests := []struct {
		name string
		f    func(c *encoder)
		want string
	}{
		{"int 0", func(c *encoder) { c.int(0) }, "0100"},
		{"int 1", func(c *encoder) { c.int(1) }, "0101"},
		{"int 80", func(c *encoder) { c.int(80) }, "0150"},
		{"int 255", func(c *encoder) { c.int(255) }, "01ff"},
		{"int 256", func(c *encoder) { c.int(256) }, "020001"},
		{"int 150", func(c *encoder) { c.int(150) }, "0196"},
		{"int -1", func(c *encoder) { c.int(-1) }, "8101"},
		{"int -7", func(c *encoder) { c.int(-7) }, "8107"},
		{"int 1<<32", func(c *encoder) { c.int(1 << 32) }, "050000000001"},
		{"int max", func(c *encoder) { c.int(math.MaxInt64) }, "08ffffffffffffff7f"},
		{"string", func(c *encoder) { c.str("relu_") }, "0105" + hex.EncodeToString([]byte("relu_"))},
		{"empty string", func(c *encoder) { c.str("") }, "0100"},
		{"bool true", func(c *encoder) { c.bool(true) }, "31"},
		{"bool false", func(c *encoder) { c.bool(false) }, "30"},
		{"double 1", func(c *encoder) { c.f64(1) }, "01108104"},
		{"double 0.5", func(c *encoder) { c.f64(0.5) }, "01108105"},
		{"double 0", func(c *encoder) { c.f64(0) }, "0100010b"},
		{"double 100", func(c *encoder) { c.f64(100) }, "01190102"}, // 25*2^2
		{"float 1", func(c *encoder) { c.f32(1) }, "01808107"},
		{"float 0", func(c *encoder) { c.f32(0) }, "01000128"},
		{"float -1", func(c *encoder) { c.f32(-1) }, "81808107"},
		{"float 122.782", func(c *encoder) { c.f32(122.782) }, "036290f58111"},
		{"float +inf", func(c *encoder) { c.f32(float32(math.Inf(1))) }, "0100" + "02007d"},
		{"float nan", func(c *encoder) { c.f32(float32(math.NaN())) }, "0100" + "02027d"},
		{"tensor", func(c *encoder) { c.tensor(2, 1, 1, 1, []float32{1, -2}) }, "0102" + "0102010101010101" + "0000803f" + "000000c0"},
		{"empty tensor", func(c *encoder) { c.emptyTensor() }, "01020100010001000100"},
		{"alias", func(c *encoder) { c.alias(1, 32, 1, 1) }, "0101" + "0101012001010101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := enc(tt.f); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestFloatRoundTrip checks man*2^exp recovers the value, as dlib's reader computes it.
func TestFloatRoundTrip(t *testing.T) {
	for _, v := range []float64{0.04, 0.6, 117.001, 104.298, -3.25e-7, 1e30, math.SmallestNonzeroFloat32} {
		for _, digits := range []int{24, 53} {
			want := v
			if digits == 24 { // dlib serializes a float after it has been rounded to float
				want = float64(float32(v))
			}
			man, exp := floatDetails(want, digits)
			if got := math.Ldexp(float64(man), int(exp)); got != want {
				t.Errorf("%g/%d: man=%d exp=%d gives %g", v, digits, man, exp, got)
			}
		}
	}
}
