package biometric

// Code dot-product kernels for the 1:N scan. dotRows (dot_amd64.go / dot_other.go) writes, for
// each of len(out) consecutive 128-byte rows of uint8 codes, the exact int32 Σ row[i]·q[i]
// with the signed probe codes. Every kernel must agree bit for bit with the obvious loop
// (dot_test.go), for all byte values and all int8 probe values.

// dotRowsGeneric is the portable kernel: four independent accumulators per row so the
// multiply-adds pipeline. |sum| ≤ 128·255·128 < 2²³.
func dotRowsGeneric(codes []byte, pc *probeCodes, out []int32) {
	q := &pc.wide
	codes = codes[:len(out)*Dim]
	for j := range out {
		row := (*[Dim]byte)(codes[j*Dim:])
		var a0, a1, a2, a3 int32
		for i := 0; i < Dim; i += 4 {
			a0 += int32(row[i]) * int32(q[i])
			a1 += int32(row[i+1]) * int32(q[i+1])
			a2 += int32(row[i+2]) * int32(q[i+2])
			a3 += int32(row[i+3]) * int32(q[i+3])
		}
		out[j] = (a0 + a1) + (a2 + a3)
	}
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
