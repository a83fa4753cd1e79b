//go:build !amd64 || purego

package biometric

// useAsm is always false without an assembly kernel; tests read it to skip asm-only cases.
var useAsm = false

// dotRows writes the code dot product of each of len(out) rows in codes with q.
func dotRows(codes []byte, q *[Dim]int16, out []int32) {
	dotRowsGeneric(codes, q, out)
}

// sumWords is the read loop of BenchmarkMemoryBandwidth (bench_test.go).
func sumWords(w []uint64) uint64 { return sumWordsGeneric(w) }
