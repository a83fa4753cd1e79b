//go:build amd64 && !purego

package biometric

import "golang.org/x/sys/cpu"

// Kernels, fastest last. x/sys/cpu reports AVX2/AVX-512 only when the OS saves their state.
const (
	kernelGeneric = iota
	kernelAVX2
	kernelVNNI // AVX-512 VNNI on 256-bit vectors (needs AVX512VL)
)

// kernel is the one dotRows uses. It is a variable only so tests and benchmarks can run every
// kernel the CPU supports; production code never writes it.
var kernel = bestKernel()

func bestKernel() int {
	switch {
	case cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512VL:
		return kernelVNNI
	case cpu.X86.HasAVX2:
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

// dotRowsAVX2 and dotRowsVNNI compute n (a positive multiple of 4) rows; see dot_amd64.s.
//
//go:noescape
func dotRowsAVX2(codes *byte, q *int16, out *int32, n int)

//go:noescape
func dotRowsVNNI(codes *byte, q *int8, out *int32, n int)

// dotRows writes raw = Σ row[i]·q[i] for each of len(out) rows in codes.
func dotRows(codes []byte, pc *probeCodes, out []int32) {
	codes = codes[:len(out)*Dim] // the assembly trusts this length: check it here
	n4 := len(out) &^ 3
	if n4 > 0 {
		switch kernel {
		case kernelVNNI:
			dotRowsVNNI(&codes[0], &pc.narrow[0], &out[0], n4)
		case kernelAVX2:
			dotRowsAVX2(&codes[0], &pc.wide[0], &out[0], n4)
		default:
			n4 = 0
		}
	}
	if n4 < len(out) {
		dotRowsGeneric(codes[n4*Dim:], pc, out[n4:])
	}
}

//go:noescape
func sumWordsAVX2(p *uint64, n int) uint64

// sumWords is the read loop of BenchmarkMemoryBandwidth (bench_test.go): 256-bit loads when
// the CPU has AVX2, the same width the scan kernels load with.
func sumWords(w []uint64) uint64 {
	n16 := len(w) &^ 15
	var s uint64
	if kernel >= kernelAVX2 && n16 > 0 {
		s = sumWordsAVX2(&w[0], n16)
	} else {
		n16 = 0
	}
	return s + sumWordsGeneric(w[n16:])
}
