package biometric

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// dotRef is the obvious definition both kernels must reproduce exactly.
func dotRef(row []byte, q *[Dim]int16) int32 {
	var s int32
	for i := range Dim {
		s += int32(int8(row[i])) * int32(q[i])
	}
	return s
}

// kernels lists the dotRows implementations available on this machine; each test runs on all
// of them. The asm entry flips useAsm, so these tests must not run in parallel.
func kernels(t *testing.T) []struct {
	name string
	asm  bool
} {
	t.Helper()
	ks := []struct {
		name string
		asm  bool
	}{{"generic", false}}
	if useAsm {
		ks = append(ks, struct {
			name string
			asm  bool
		}{"asm", true})
	} else {
		t.Log("no assembly kernel on this build/CPU: testing the portable kernel only")
	}
	return ks
}

// withKernel runs f with useAsm set as asked and restores it.
func withKernel(asm bool, f func()) {
	saved := useAsm
	useAsm = asm
	defer func() { useAsm = saved }()
	f()
}

// TestDotRowsExact: every kernel equals dotRef on random codes, on the extremes of the int8
// range (where a saturating or narrow-lane kernel would be wrong), and on row counts that are
// not multiples of the 4-row asm step, without writing past out.
func TestDotRowsExact(t *testing.T) {
	fill := map[string]func(r *rand.Rand, i int) int8{
		"random":      func(r *rand.Rand, _ int) int8 { return int8(r.IntN(256) - 128) },
		"all +127":    func(*rand.Rand, int) int8 { return 127 },
		"all -128":    func(*rand.Rand, int) int8 { return -128 },
		"alternating": func(_ *rand.Rand, i int) int8 { return [2]int8{127, -128}[i%2] },
		"zero":        func(*rand.Rand, int) int8 { return 0 },
	}
	probes := map[string]func(r *rand.Rand, i int) int16{
		"random": func(r *rand.Rand, _ int) int16 { return int16(r.IntN(256) - 128) },
		"-128":   func(*rand.Rand, int) int16 { return -128 },
		"+127":   func(*rand.Rand, int) int16 { return 127 },
		"ramp":   func(_ *rand.Rand, i int) int16 { return int16(i - 64) }, // catches lane mix-ups
	}
	const sentinel = -0x5A5A5A5A
	for _, k := range kernels(t) {
		for fname, f := range fill {
			for pname, pf := range probes {
				for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 13, 255, 256, 257, 1001} {
					name := fmt.Sprintf("%s/rows=%s/probe=%s/n=%d", k.name, fname, pname, n)
					r := rand.New(rand.NewPCG(uint64(n), 99))
					codes := make([]byte, n*Dim)
					for i := range codes {
						codes[i] = byte(f(r, i))
					}
					var q [Dim]int16
					for i := range q {
						q[i] = pf(r, i)
					}
					buf := make([]int32, n+4)
					for i := range buf {
						buf[i] = sentinel
					}
					withKernel(k.asm, func() { dotRows(codes, &q, buf[:n]) })
					for j := range n {
						if want := dotRef(codes[j*Dim:], &q); buf[j] != want {
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
	var q [Dim]int16
	for i := range q {
		q[i] = int16(r.IntN(255) - 127)
	}
	for _, k := range kernels(t) {
		for off := range 32 {
			codes := backing[off : off+n*Dim]
			out := make([]int32, n)
			withKernel(k.asm, func() { dotRows(codes, &q, out) })
			for j := range n {
				if want := dotRef(codes[j*Dim:], &q); out[j] != want {
					t.Fatalf("%s off %d row %d: %d want %d", k.name, off, j, out[j], want)
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
					t.Errorf("%s: no panic on short codes", k.name)
				}
			}()
			var q [Dim]int16
			withKernel(k.asm, func() { dotRows(make([]byte, 7*Dim), &q, make([]int32, 8)) })
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
			withKernel(k.asm, func() { got = sumWords(w) })
			if got != want {
				t.Fatalf("%s n=%d: %d want %d", k.name, n, got, want)
			}
		}
	}
}
