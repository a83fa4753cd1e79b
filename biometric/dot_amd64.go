//go:build amd64 && !purego

package biometric

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2 kernel. It is a variable only so tests can force the portable path;
// x/sys/cpu also checks that the OS saves YMM state.
var useAsm = cpu.X86.HasAVX2

// dotRowsAVX2 computes n (a multiple of 4) row dot products; see dot_amd64.s.
//
//go:noescape
func dotRowsAVX2(codes *byte, q *int16, out *int32, n int)

// dotRows writes the code dot product of each of len(out) rows in codes with q.
func dotRows(codes []byte, q *[Dim]int16, out []int32) {
	if !useAsm {
		dotRowsGeneric(codes, q, out)
		return
	}
	codes = codes[:len(out)*Dim] // the assembly trusts this length: check it here
	n4 := len(out) &^ 3
	if n4 > 0 {
		dotRowsAVX2(&codes[0], &q[0], &out[0], n4)
	}
	if n4 < len(out) {
		dotRowsGeneric(codes[n4*Dim:], q, out[n4:])
	}
}

//go:noescape
func sumWordsAVX2(p *uint64, n int) uint64

// sumWords is the read loop of BenchmarkMemoryBandwidth (bench_test.go): the AVX2 loop when
// the scan uses AVX2, so both read memory with the same load width.
func sumWords(w []uint64) uint64 {
	n16 := len(w) &^ 15
	var s uint64
	if useAsm && n16 > 0 {
		s = sumWordsAVX2(&w[0], n16)
	} else {
		n16 = 0
	}
	return s + sumWordsGeneric(w[n16:])
}
