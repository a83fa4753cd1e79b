//go:build amd64 && !purego

package biometric

import "golang.org/x/sys/cpu"

// Kernels, fastest last. x/sys/cpu reports AVX2/AVX-512 only when the OS saves their state.
const (
	kernelGeneric = iota
	kernelAVX2
	kernelVNNI // AVX-512 VNNI on 256-bit vectors (needs AVX512VL)
)

// kernel is the one scoreRows uses. It is a variable only so tests and benchmarks can run every
// kernel the CPU supports; production code never writes it.
var kernel = bestKernel()

func bestKernel() int {
	switch {
	case cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512VL && cpu.X86.HasPOPCNT:
		return kernelVNNI
	case cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT:
		return kernelAVX2
	}
	return kernelGeneric
}

// kernelNames maps each kernel this CPU can run to its name (for tests and benchmarks).
func kernelNames() map[int]string {
	ks := map[int]string{kernelGeneric: "generic"}
	best := bestKernel()
	if best >= kernelAVX2 {
		ks[kernelAVX2] = "avx2"
	}
	if best >= kernelVNNI {
		ks[kernelVNNI] = "vnni"
	}
	return ks
}

// scoreRowsAVX2 and scoreRowsVNNI handle n (a multiple of 4) rows; see kernel_amd64.s.
//
//go:noescape
func scoreRowsAVX2(codes *byte, inv *float32, norm2 *float32, out *float32, mask *byte, n int, p *probe, bar float32) int

//go:noescape
func scoreRowsVNNI(codes *byte, inv *float32, norm2 *float32, out *float32, mask *byte, n int, p *probe, bar float32) int

// scoreRows writes p.score of each of len(out) rows to out and returns how many are < bar.
// For the first n4 = len(out)&^3 rows, in four streams of Q = n4/4, mask[i] bit s is set when
// row s*Q+i is below bar; the tail rows n4.. are only in out.
func scoreRows(codes []byte, inv, norm2 []float32, p *probe, bar float32, out []float32, mask []byte) int {
	n := len(out)
	n4 := n &^ 3
	codes, inv, norm2, mask = codes[:n*Dim], inv[:n], norm2[:n], mask[:n4/4] // the assembly trusts these lengths
	below := 0
	if n4 > 0 {
		switch kernel {
		case kernelVNNI:
			below = scoreRowsVNNI(&codes[0], &inv[0], &norm2[0], &out[0], &mask[0], n4, p, bar)
		case kernelAVX2:
			below = scoreRowsAVX2(&codes[0], &inv[0], &norm2[0], &out[0], &mask[0], n4, p, bar)
		default:
			return scoreRowsGeneric(codes, inv, norm2, p, bar, out, mask)
		}
	}
	if n4 < n {
		below += scoreRowsGeneric(codes[n4*Dim:], inv[n4:], norm2[n4:], p, bar, out[n4:], nil)
	}
	return below
}

//go:noescape
func sumWordsAVX2(p *uint64, n int) uint64

//go:noescape
func sumWords4AVX2(p *uint64, n int) uint64

// sumWords is the read loop of BenchmarkMemoryBandwidth (bench_test.go): 256-bit loads when
// the CPU has AVX2, the width the scan kernels load with, as one sequential stream or, with
// four, as four streams (one per quarter of w) like the scan kernels.
func sumWords(w []uint64, four bool) uint64 {
	n16 := len(w) &^ 15
	var s uint64
	switch {
	case kernel < kernelAVX2 || n16 == 0:
		n16 = 0
	case four:
		if n16 = len(w) &^ 63; n16 > 0 { // quarters of whole 32-byte loads
			s = sumWords4AVX2(&w[0], n16)
		}
	default:
		s = sumWordsAVX2(&w[0], n16)
	}
	return s + sumWordsGeneric(w[n16:])
}
