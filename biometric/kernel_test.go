package biometric

import (
	"fmt"
	"math"
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

// kernels lists the scoreRows implementations this machine can run, in a fixed order; each
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

// unitProbe scores each row as exactly float32(raw): bias 0 and every factor 1, with
// |raw| < 2²⁴. It makes the integer part of a kernel observable bit for bit.
func unitProbe(pc probeCodes, n int) (*probe, []float32, []float32) {
	inv, norm2 := make([]float32, n), make([]float32, n)
	for i := range inv {
		inv[i] = 1
	}
	return &probe{codes: pc, dotScale: 1}, inv, norm2
}

// checkKernel runs scoreRows on kernel k and compares every score, the count below bar and
// the four-stream mask with the reference; it also checks nothing is written past out or mask.
func checkKernel(t *testing.T, name string, k int, codes []byte, inv, norm2 []float32, p *probe, bar float32, want []float32) {
	t.Helper()
	const sentinel = -12345.5
	n := len(want)
	buf := make([]float32, n+4)
	for i := range buf {
		buf[i] = sentinel
	}
	q := n / 4
	mask := make([]byte, q+8)
	for i := range mask {
		mask[i] = 0xEE // every kernel must overwrite mask[:q] and nothing after it
	}
	var below int
	withKernel(k, func() { below = scoreRows(codes, inv, norm2, p, bar, buf[:n], mask) })
	wantBelow := 0
	for j := range n {
		if math.Float32bits(buf[j]) != math.Float32bits(want[j]) {
			t.Fatalf("%s: row %d = %v want %v", name, j, buf[j], want[j])
		}
		if want[j] < bar {
			wantBelow++
		}
		if j < 4*q {
			if got := mask[j%q]>>(j/q)&1 == 1; got != (want[j] < bar) {
				t.Fatalf("%s: mask bit of row %d = %v, score %v bar %v", name, j, got, want[j], bar)
			}
		}
	}
	if below != wantBelow {
		t.Fatalf("%s: %d below bar, want %d", name, below, wantBelow)
	}
	for j := n; j < len(buf); j++ {
		if buf[j] != sentinel {
			t.Fatalf("%s: wrote past out at %d", name, j)
		}
	}
	for i := q; i < len(mask); i++ {
		if mask[i] != 0xEE {
			t.Fatalf("%s: wrote past mask at %d", name, i)
		}
	}
}

// TestScoreRowsRawExact: with a unit probe every kernel's score is float32(raw), equal to
// dotRef on random codes, on the extremes of both operand ranges (where a saturating or
// narrow-lane kernel would be wrong), and on row counts that are not multiples of the 4-row
// asm step.
func TestScoreRowsRawExact(t *testing.T) {
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
	names := kernelNames()
	for _, k := range kernels(t) {
		for rname, rf := range rows {
			for pname, pf := range probes {
				for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 13, 255, 256, 257, 1001} {
					r := rand.New(rand.NewPCG(uint64(n), 99))
					codes := make([]byte, n*Dim)
					for i := range codes {
						codes[i] = rf(r, i)
					}
					var pc probeCodes
					for i := range Dim {
						pc.set(i, pf(r, i))
					}
					p, inv, norm2 := unitProbe(pc, n)
					want := make([]float32, n)
					for j := range want {
						want[j] = float32(dotRef(codes[j*Dim:], &pc))
					}
					bar := float32(0) // a sign split: some rows below, some not
					name := fmt.Sprintf("%s/rows=%s/probe=%s/n=%d", names[k], rname, pname, n)
					checkKernel(t, name, k, codes, inv, norm2, p, bar, want)
				}
			}
		}
	}
}

// TestScoreRowsFloatExact: with real quantised rows and probes, every kernel reproduces
// probe.score bit for bit (same operation order and rounding), and counts the rows below a
// bar placed among the scores, at +Inf and below all of them.
func TestScoreRowsFloatExact(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	const n = 517
	codes := make([]byte, n*Dim)
	inv, norm2 := make([]float32, n), make([]float32, n)
	for j := range n {
		tpl := randomTemplate(r)
		m := quantize(&tpl.Vector, codes[j*Dim:])
		inv[j], norm2[j] = m.invScale, m.norm2
	}
	pt := randomTemplate(r)
	p := newProbe(&pt.Vector)
	want := make([]float32, n)
	for j := range want {
		want[j] = p.score(dotRef(codes[j*Dim:], &p.codes), inv[j], norm2[j])
	}
	sorted := slices.Clone(want)
	slices.Sort(sorted)
	names := kernelNames()
	for _, k := range kernels(t) {
		for _, bar := range []float32{sorted[n/7], sorted[n/2], float32(math.Inf(1)), sorted[0]} {
			checkKernel(t, fmt.Sprintf("%s bar %v", names[k], bar), k, codes, inv, norm2, p, bar, want)
		}
	}
}

// TestScoreRowsUnaligned: rows are read from any byte offset (the gallery slice is not aligned
// for the vector loads, and sub-slices start mid-array).
func TestScoreRowsUnaligned(t *testing.T) {
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
	p, inv, norm2 := unitProbe(pc, n)
	for _, k := range kernels(t) {
		for off := range 32 {
			codes := backing[off : off+n*Dim]
			want := make([]float32, n)
			for j := range want {
				want[j] = float32(dotRef(codes[j*Dim:], &pc))
			}
			checkKernel(t, fmt.Sprintf("%s off %d", kernelNames()[k], off), k, codes, inv, norm2, p, 0, want)
		}
	}
}

// TestScoreRowsShortInputsPanic: inputs shorter than len(out) rows are an internal bug; they
// must panic in Go before the assembly could read out of bounds.
func TestScoreRowsShortInputsPanic(t *testing.T) {
	cases := []struct {
		name             string
		codes            int
		inv, norm2, mask int
	}{
		{"short codes", 7 * Dim, 8, 8, 2},
		{"short inv", 8 * Dim, 7, 8, 2},
		{"short norm2", 8 * Dim, 8, 7, 2},
		{"short mask", 8 * Dim, 8, 8, 1},
	}
	for _, k := range kernels(t) {
		for _, c := range cases {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s %s: no panic", kernelNames()[k], c.name)
					}
				}()
				p, _, _ := unitProbe(probeCodes{}, 0)
				withKernel(k, func() {
					scoreRows(make([]byte, c.codes), make([]float32, c.inv), make([]float32, c.norm2), p, 0, make([]float32, 8), make([]byte, c.mask))
				})
			}()
		}
	}
}

// TestSumWords: the bandwidth benchmark's read loops really read every word (on each kernel,
// one and four streams, with lengths around the 16- and 64-word asm steps).
func TestSumWords(t *testing.T) {
	for _, k := range kernels(t) {
		for _, four := range []bool{false, true} {
			for _, n := range []int{0, 1, 15, 16, 17, 33, 63, 64, 65, 130, 1000} {
				w := make([]uint64, n)
				var want uint64
				for i := range w {
					w[i] = uint64(i)*0x9E3779B97F4A7C15 + 1
					want += w[i]
				}
				var got uint64
				withKernel(k, func() { got = sumWords(w, four) })
				if got != want {
					t.Fatalf("%s four=%v n=%d: %d want %d", kernelNames()[k], four, n, got, want)
				}
			}
		}
	}
}
