package biometric

// Scan kernels. scoreRows (kernel_amd64.go / kernel_other.go) computes, for each of len(out)
// consecutive 128-byte rows of unsigned codes, the exact raw = Σ row[i]·q[i] with the signed
// probe codes, turns it into the scan score with probe.score, and counts the scores below a
// bar. It also records which rows are below the bar in a mask laid out for the assembly's
// four streams: with n4 = n&^3 and Q = n4/4, mask[i] bit s stands for row s*Q+i (i < Q);
// the ≤ 3 tail rows are not in the mask. Every kernel must agree bit for bit with this
// portable one (kernel_test.go), for all byte values and all int8 probe values.

// scoreRowsGeneric is the portable kernel. mask may be nil (the assembly's tail call).
func scoreRowsGeneric(codes []byte, inv, norm2 []float32, p *probe, bar float32, out []float32, mask []byte) int {
	n := len(out)
	codes, inv, norm2 = codes[:n*Dim], inv[:n], norm2[:n]
	q := n / 4
	if mask != nil {
		mask = mask[:q]
		clear(mask)
	}
	below := 0
	for j := range out {
		s := p.score(dotRow((*[Dim]byte)(codes[j*Dim:]), &p.codes.wide), inv[j], norm2[j])
		out[j] = s
		if s < bar {
			below++
			if mask != nil && j < 4*q {
				mask[j%q] |= 1 << (j / q)
			}
		}
	}
	return below
}

// dotRow is Σ row[i]·q[i] with four independent accumulators so the multiply-adds pipeline.
// |sum| ≤ 128·255·128 < 2²³.
func dotRow(row *[Dim]byte, q *[Dim]int16) int32 {
	var a0, a1, a2, a3 int32
	for i := 0; i < Dim; i += 4 {
		a0 += int32(row[i]) * int32(q[i])
		a1 += int32(row[i+1]) * int32(q[i+1])
		a2 += int32(row[i+2]) * int32(q[i+2])
		a3 += int32(row[i+3]) * int32(q[i+3])
	}
	return (a0 + a1) + (a2 + a3)
}

// sumWordsGeneric sums w with four independent accumulators (the portable read loop of
// BenchmarkMemoryBandwidth).
func sumWordsGeneric(w []uint64) uint64 {
	var a0, a1, a2, a3 uint64
	i := 0
	for ; i+4 <= len(w); i += 4 {
		a0 += w[i]
		a1 += w[i+1]
		a2 += w[i+2]
		a3 += w[i+3]
	}
	for ; i < len(w); i++ {
		a0 += w[i]
	}
	return (a0 + a1) + (a2 + a3)
}
