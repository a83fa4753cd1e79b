//go:build !amd64 || purego

package biometric

const kernelGeneric = 0

// kernel is always the portable one without assembly; a variable to match dot_amd64.go.
var kernel = kernelGeneric

func kernelNames() map[int]string { return map[int]string{kernelGeneric: "generic"} }

// dotRows writes raw = Σ row[i]·q[i] for each of len(out) rows in codes.
func dotRows(codes []byte, pc *probeCodes, out []int32) {
	dotRowsGeneric(codes, pc, out)
}

// sumWords is the read loop of BenchmarkMemoryBandwidth (bench_test.go).
func sumWords(w []uint64) uint64 { return sumWordsGeneric(w) }
