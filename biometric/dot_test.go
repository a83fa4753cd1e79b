package biometric

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// dotRef is the obvious definition every kernel must reproduce exactly.
func dotRef(row []byte, pc *probeCodes) int32 {
	var s int32
	for i := range Dim {
		s += int32(row[i]) * int32(pc.narrow[i])
	}
	return s
}

// kernels lists the dotRows implementations this machine can run, in a fixed order; each
// test runs on all of them. withKernel flips the package's kernel variable, so these tests
// must not run in parallel.
func kernels(t testing.TB) []int {
	t.Helper()
	names := kernelNames()
	ks := make([]int, 0, len(names))
	for k := range names {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	if len(ks) == 1 {
		t.Log("no assembly kernel on this build/CPU: testing the portable kernel only")
	}
	return ks
}

// withKernel runs f with kernel k selected and restores the previous choice.
func withKernel(k int, f func()) {
	saved := kernel
	kernel = k
	defer func() { kernel = saved }()
	f()
}

// TestDotRowsExact: every kernel equals dotRef on random codes, on the extremes of both
// operand ranges (where a saturating or narrow-lane kernel would be wrong), and on row counts
// that are not multiples of the 4-row asm step, without writing past out.
func TestDotRowsExact(t *testing.T) {
	rows := map[string]func(r *rand.Rand, i int) byte{
		"random":      func(r *rand.Rand, _ int) byte { return byte(r.Uint32()) },
		"all 255":     func(*rand.Rand, int) byte { return 255 },
		"all 0":       func(*rand.Rand, int) byte { return 0 },
		"alternating": func(_ *rand.Rand, i int) byte { return [2]byte{255, 0}[i%2] },
		"quantised":   func(r *rand.Rand, _ int) byte { return byte(1 + r.IntN(255)) }, // 1..255
	}
	probes := map[string]func(r *rand.Rand, i int) int8{
		"random": func(r *rand.Rand, _ int) int8 { return int8(r.Uint32()) },
		"-128":   func(*rand.Rand, int) int8 { return -128 },
		"+127":   func(*rand.Rand, int) int8 { return 127 },
		"ramp":   func(_ *rand.Rand, i int) int8 { return int8(i - 64) }, // catches lane mix-ups
	}
	const sentinel = -0x5A5A5A5A
	names := kernelNames()
	for _, k := range kernels(t) {
		for rname, rf := range rows {
			for pname, pf := range probes {
				for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 13, 255, 256, 257, 1001} {
					name := fmt.Sprintf("%s/rows=%s/probe=%s/n=%d", names[k], rname, pname, n)
					r := rand.New(rand.NewPCG(uint64(n), 99))
					codes := make([]byte, n*Dim)
					for i := range codes {
						codes[i] = rf(r, i)
					}
					var pc probeCodes
					for i := range Dim {
						pc.set(i, pf(r, i))
					}
					buf := make([]int32, n+4)
					for i := range buf {
						buf[i] = sentinel
					}
					withKernel(k, func() { dotRows(codes, &pc, buf[:n]) })
					for j := range n {
						if want := dotRef(codes[j*Dim:], &pc); buf[j] != want {
							t.Fatalf("%s: row %d = %d want %d", name, j, buf[j], want)
						}
					}
					for j := n; j < len(buf); j++ {
						if buf[j] != sentinel {
							t.Fatalf("%s: wrote past out at %d", name, j)
						}
					}
				}
			}
		}
	}
}

// TestDotRowsUnaligned: rows are read from any byte offset (the gallery slice is not aligned
// for the vector loads, and sub-slices start mid-array).
func TestDotRowsUnaligned(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 9
	backing := make([]byte, n*Dim+31)
	for i := range backing {
		backing[i] = byte(r.Uint32())
	}
	var pc probeCodes
	for i := range Dim {
		pc.set(i, int8(r.Uint32()))
	}
	for _, k := range kernels(t) {
		for off := range 32 {
			codes := backing[off : off+n*Dim]
			out := make([]int32, n)
			withKernel(k, func() { dotRows(codes, &pc, out) })
			for j := range n {
				if want := dotRef(codes[j*Dim:], &pc); out[j] != want {
					t.Fatalf("%s off %d row %d: %d want %d", kernelNames()[k], off, j, out[j], want)
				}
			}
		}
	}
}

// TestDotRowsShortCodesPanics: a codes slice shorter than len(out) rows is an internal bug;
// it must panic in Go before the assembly could read out of bounds.
func TestDotRowsShortCodesPanics(t *testing.T) {
	for _, k := range kernels(t) {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic on short codes", kernelNames()[k])
				}
			}()
			var pc probeCodes
			withKernel(k, func() { dotRows(make([]byte, 7*Dim), &pc, make([]int32, 8)) })
		}()
	}
}

// TestSumWords: the bandwidth benchmark's read loop really reads every word (on each kernel,
// with lengths around the 16-word asm step).
func TestSumWords(t *testing.T) {
	for _, k := range kernels(t) {
		for _, n := range []int{0, 1, 15, 16, 17, 33, 1000} {
			w := make([]uint64, n)
			var want uint64
			for i := range w {
				w[i] = uint64(i)*0x9E3779B97F4A7C15 + 1
				want += w[i]
			}
			var got uint64
			withKernel(k, func() { got = sumWords(w) })
			if got != want {
				t.Fatalf("%s n=%d: %d want %d", kernelNames()[k], n, got, want)
			}
		}
	}
}
