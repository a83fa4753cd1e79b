package biometric

import "math"

// Quantisation for the 1:N scan. Each vector gets its own scale s = qMax/max|x_i| and every
// value becomes a signed code c = round(x*s) in [-qMax, qMax]. dlib descriptors are ~1.2-1.5
// in norm with components within ±0.45 (measured on the shared idols set), but a per-vector
// scale makes the code independent of that assumption.
//
// Gallery rows store c+qBias as an unsigned byte (1..255); the probe keeps c signed. The
// kernels compute the exact raw = Σ u_i·q_i and the scan removes the bias with one per-query
// constant: Σ c_i·q_i = raw - qBias·Σ q_i. Unsigned rows × signed probe is exactly the operand
// shape of VPDPBUSD (AVX-512 VNNI) and costs nothing for VPMOVZXBW+VPMADDWD (AVX2).
//
// Why 8 bits: the scan is memory-bound, so a row costs its 128 bytes whatever the code width
// inside them, and the kernels accumulate in 32 bits (|raw| ≤ 128·255·128 < 2²³). The earlier
// 7-bit codes (±63) were only needed by a SWAR kernel; 8 bits halves the quantisation step for
// free. The float32 re-rank of the top candidates removes the remaining error from the final
// ranking and distances.
const (
	qMax  = 127
	qBias = 128
)

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
		for i := range dst {
			dst[i] = qBias
		}
		return meta
	}
	s := qMax / m
	for i, x := range v {
		c := int32(math.Round(float64(x * s)))
		c = min(max(c, -qMax), qMax) // float rounding at ±max can land on 128
		dst[i] = byte(c + qBias)
	}
	meta.invScale = m / qMax
	return meta
}

// probeCodes is the probe's signed codes in the layouts the kernels multiply rows against.
type probeCodes struct {
	wide   [Dim]int16 // sign-extended: AVX2 keeps all 256 bytes in eight YMM registers
	narrow [Dim]int8  // VNNI: four YMM registers
}

func (pc *probeCodes) set(i int, q int8) {
	pc.narrow[i], pc.wide[i] = q, int16(q)
}

// probe is a query prepared for the scan. The assembly kernels read its fields through the
// offsets in go_asm.h.
type probe struct {
	codes probeCodes
	// bias is qBias·Σq, removed from every raw kernel result.
	bias int32
	// dotScale is -2/s_p, so score = ‖g‖² + dotScale·(1/s_g)·Σ c_g·c_p.
	dotScale float32
	meta     rowMeta
	exact    *[Dim]float32
}

func newProbe(v *[Dim]float32) *probe {
	p := &probe{exact: v}
	var codes [Dim]byte
	p.meta = quantize(v, codes[:])
	var sum int32
	for i, u := range codes {
		q := int8(int32(u) - qBias)
		p.codes.set(i, q)
		sum += int32(q)
	}
	p.bias = qBias * sum
	p.dotScale = -2 * p.meta.invScale
	return p
}

// score estimates ‖g‖² - 2⟨g,p⟩ for ranking (‖p‖² is the same for every row) from the raw
// kernel result: ((float32(raw-bias)·inv)·dotScale) + norm2, each step rounded to float32 in
// exactly this order, which is what the assembly kernels compute (the conversions forbid
// the compiler from fusing a multiply-add). |raw - bias| ≤ 128·127² < 2²⁴, so the first
// conversion is exact.
func (p *probe) score(raw int32, inv, norm2 float32) float32 {
	t := float32(float32(raw-p.bias) * inv)
	t = float32(t * p.dotScale)
	return t + norm2
}
