package biometric

import (
	"encoding/binary"
	"math"
)

// Quantisation for the 1:N scan. Each vector gets its own scale s = qMax/max|x_i| and every
// value becomes a 7-bit code c = round(x*s) + qOffset in [1, 127]. dlib descriptors are
// ~1.2-1.5 in norm with components within ±0.45 (measured on the shared idols set), but a
// per-vector scale makes the code independent of that assumption.
//
// Why 7 bits and not 8: the kernel multiplies four 16-bit lanes at once inside one uint64
// (SWAR, see rawDot). The lane that collects the dot product must hold the sum of four
// code products without carrying into its neighbour: 4*127*127 = 64516 < 65536. With 8-bit
// codes it would overflow. The float32 re-rank of the top candidates removes the
// quantisation error from the final ranking and distances.
const (
	qMax    = 63
	qOffset = 64
)

// rowMeta is what the scan needs besides the codes to turn a code dot product into a distance.
type rowMeta struct {
	invScale float32 // 1/s: code units back to descriptor units
	codeSum  int32   // Σ c_i, to remove the offset from the code dot product
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
			dst[i] = qOffset
		}
		meta.codeSum = qOffset * Dim
		return meta
	}
	s := qMax / m
	var sum int32
	for i, x := range v {
		c := int32(math.Round(float64(x * s)))
		c = min(max(c, -qMax), qMax) // float rounding at ±max can land on 64
		dst[i] = byte(c + qOffset)
		sum += c + qOffset
	}
	meta.invScale = m / qMax
	meta.codeSum = sum
	return meta
}

// probe is a query prepared for the scan: its codes packed for rawDot plus metadata.
type probe struct {
	packed [Dim / 4]uint64
	meta   rowMeta
	exact  *[Dim]float32
}

// lanes selects bytes 0, 2, 4, 6 of a little-endian word into four 16-bit lanes.
const lanes = 0x00FF00FF00FF00FF

// newProbe quantises v and packs its codes so that for word w of a row (bytes 8w..8w+7),
// (word & lanes) * packed[2w] carries Σ_{l<4} row[8w+2l]*q[8w+2l] in bits 48..63 and
// ((word>>8) & lanes) * packed[2w+1] the same for the odd bytes. Reversing the lane order in
// the packed probe is what lines the matching products up in the top lane.
func newProbe(v *[Dim]float32) *probe {
	p := &probe{exact: v}
	var codes [Dim]byte
	p.meta = quantize(v, codes[:])
	for w := 0; w < Dim/8; w++ {
		var even, odd uint64
		for l := 0; l < 4; l++ {
			even |= uint64(codes[8*w+2*l]) << (16 * (3 - l))
			odd |= uint64(codes[8*w+2*l+1]) << (16 * (3 - l))
		}
		p.packed[2*w], p.packed[2*w+1] = even, odd
	}
	return p
}

// rawDot returns Σ row[i]*q[i] over the 128 codes of one row. Lanes below the top one hold
// partial cross products (at most 3*127*127 < 65536) that never carry into the top lane, and
// products above bit 63 are discarded by the wrapping multiply, so >>48 extracts the exact sum.
func rawDot(row []byte, pk *[Dim / 4]uint64) uint64 {
	row = row[:Dim:Dim]
	var a0, a1 uint64
	for w := 0; w < Dim/8; w += 2 {
		x := binary.LittleEndian.Uint64(row[8*w:])
		y := binary.LittleEndian.Uint64(row[8*w+8:])
		a0 += ((x & lanes) * pk[2*w]) >> 48
		a1 += (((x >> 8) & lanes) * pk[2*w+1]) >> 48
		a0 += ((y & lanes) * pk[2*w+2]) >> 48
		a1 += (((y >> 8) & lanes) * pk[2*w+3]) >> 48
	}
	return a0 + a1
}

// approxScore estimates ‖g‖² - 2⟨g,p⟩ for ranking (‖p‖² is the same for every row).
// ⟨g,p⟩ ≈ Σ(cg-o)(cp-o)/(sg·sp) = (raw - o·Σcg - o·Σcp + o²·Dim)·(1/sg)·(1/sp).
func approxScore(raw uint64, g *rowMeta, p *rowMeta) float32 {
	centred := int64(raw) - qOffset*int64(g.codeSum) - qOffset*int64(p.codeSum) + qOffset*qOffset*Dim
	dot := float32(centred) * g.invScale * p.invScale
	return g.norm2 - 2*dot
}
