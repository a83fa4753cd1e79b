package biometric

import "math"

// Quantisation for the 1:N scan. Each vector gets its own scale s = qMax/max|x_i| and every
// value becomes a signed code c = round(x*s) in [-qMax, qMax], stored as one int8 byte. dlib
// descriptors are ~1.2-1.5 in norm with components within ±0.45 (measured on the shared idols
// set), but a per-vector scale makes the code independent of that assumption.
//
// Why full signed 8-bit: the scan is memory-bound, so a row costs its 128 bytes whatever the
// code width inside them, and the kernels (dot.go, dot_amd64.s) widen codes to 16-bit lanes
// and accumulate in 32 bits, where 128·128² fits easily. The earlier 7-bit offset codes were
// only needed for a SWAR kernel; 8 bits halves the quantisation step for free. -128 is never
// produced (symmetric range), though the kernels are exact for it too. The float32 re-rank of
// the top candidates removes the remaining error from the final ranking and distances.
const qMax = 127

// rowMeta is what the scan needs besides the codes to turn a code dot product into a distance.
type rowMeta struct {
	invScale float32 // 1/s: code units back to descriptor units
	norm2    float32 // exact ‖x‖², so the estimate is ‖g‖² - 2⟨g,p⟩ (+ ‖p‖², constant per query)
}

// quantize writes the Dim codes of v into dst and returns the row's metadata.
func quantize(v *[Dim]float32, dst []byte) rowMeta {
	dst = dst[:Dim]
	var m float32
	var n2 float32
	for _, x := range v {
		m = max(m, float32(math.Abs(float64(x))))
		n2 += x * x
	}
	meta := rowMeta{norm2: n2}
	if m == 0 {
		clear(dst)
		return meta
	}
	s := qMax / m
	for i, x := range v {
		c := int32(math.Round(float64(x * s)))
		c = min(max(c, -qMax), qMax) // float rounding at ±max can land on 128
		dst[i] = byte(int8(c))
	}
	meta.invScale = m / qMax
	return meta
}

// probe is a query prepared for the scan.
type probe struct {
	// wide holds the probe codes sign-extended to int16: the layout both kernels multiply rows
	// against (the AVX2 kernel keeps all 256 bytes in eight YMM registers).
	wide [Dim]int16
	// dotScale is -2/s_p, so score = ‖g‖² + dotScale·(1/s_g)·Σ c_g·c_p.
	dotScale float32
	meta     rowMeta
	exact    *[Dim]float32
}

func newProbe(v *[Dim]float32) *probe {
	p := &probe{exact: v}
	var codes [Dim]byte
	p.meta = quantize(v, codes[:])
	for i, c := range codes {
		p.wide[i] = int16(int8(c))
	}
	p.dotScale = -2 * p.meta.invScale
	return p
}

// score estimates ‖g‖² - 2⟨g,p⟩ for ranking (‖p‖² is the same for every row) from the exact
// integer code dot product. |dot| ≤ 128·127² < 2²⁴, so float32(dot) is exact.
func (p *probe) score(dot int32, g *rowMeta) float32 {
	return g.norm2 + p.dotScale*g.invScale*float32(dot)
}
