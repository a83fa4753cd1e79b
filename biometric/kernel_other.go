//go:build !amd64 || purego

package biometric

const kernelGeneric = 0

// kernel is always the portable one without assembly; a variable to match kernel_amd64.go.
var kernel = kernelGeneric

func kernelNames() map[int]string { return map[int]string{kernelGeneric: "generic"} }

// scoreRows writes p.score of each of len(out) rows to out and returns how many are < bar,
// with the below-bar mask in the layout of kernel.go.
func scoreRows(codes []byte, inv, norm2 []float32, p *probe, bar float32, out []float32, mask []byte) int {
	return scoreRowsGeneric(codes, inv, norm2, p, bar, out, mask[:len(out)/4])
}

// sumWords is the read loop of BenchmarkMemoryBandwidth (bench_test.go); the portable loop
// reads one stream either way.
func sumWords(w []uint64, _ bool) uint64 { return sumWordsGeneric(w) }
