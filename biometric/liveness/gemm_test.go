package liveness

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmKernels: the FMA and portable loops agree with a float64 reference on odd sizes.
func TestGemmKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sz := range [][3]int{{1, 1, 1}, {2, 4, 8}, {3, 5, 7}, {13, 103, 25}, {64, 13, 400}, {7, 231, 100}} {
		m, k, n := sz[0], sz[1], sz[2]
		w, b, bias := randSlice(rng, m*k), randSlice(rng, k*n), randSlice(rng, m)
		want := make([]float64, m*n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := float64(bias[i])
				for p := 0; p < k; p++ {
					s += float64(w[i*k+p]) * float64(b[p*n+j])
				}
				want[i*n+j] = s
			}
		}
		for _, fma := range []bool{false, true} {
			if fma && !useFMA {
				continue
			}
			restore := setFMA(fma)
			c := make([]float32, m*n)
			gemmBias(w, b, bias, c, m, k, n)
			restore()
			for i := range c {
				if d := math.Abs(float64(c[i]) - want[i]); d > 1e-4*math.Max(1, math.Abs(want[i])) {
					t.Fatalf("%v fma=%v: c[%d] = %v, want %v", sz, fma, i, c[i], want[i])
				}
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

// BenchmarkGemm is the largest 1x1 convolution (conv_23's expand, 103×32 · 32×1600) with the
// portable loop and, where the CPU has it, the AVX2+FMA loop.
func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	m, k, n := 103, 32, 1600
	w, x, bias := randSlice(rng, m*k), randSlice(rng, k*n), randSlice(rng, m)
	c := make([]float32, m*n)
	for _, fma := range []bool{false, true} {
		if fma && !useFMA {
			continue
		}
		name := map[bool]string{false: "generic", true: "fma"}[fma]
		b.Run(name, func(b *testing.B) {
			restore := setFMA(fma)
			defer restore()
			cpuLoop(b, func() { gemmBias(w, x, bias, c, m, k, n) })
			b.ReportMetric(float64(m*k*n)/1e6, "MMAC/op")
		})
	}
}

// TestPrelu: the vector loop gives exactly the portable result (max and min are exact, and
// max(x,0) + a·min(x,0) has one non-zero term).
func TestPrelu(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 7, 8, 25, 100, 1601} {
		x := randSlice(rng, n)
		want := append([]float32(nil), x...)
		preluGeneric(want, 0.25)
		preluRow(x, 0.25)
		for i := range x {
			if x[i] != want[i] {
				t.Fatalf("n=%d: x[%d] = %v, want %v", n, i, x[i], want[i])
			}
		}
	}
}
