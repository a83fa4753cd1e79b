package biometric

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestScoreError bounds the quantisation error of the scan score on dlib-like vectors.
func TestScoreError(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var worst float64
	var out [1]float32
	for range 2000 {
		a, b := randomTemplate(r), randomTemplate(r)
		var codes [Dim]byte
		m := quantize(&a.Vector, codes[:])
		pr := newProbe(&b.Vector)
		scoreRows(codes[:], []float32{m.invScale}, []float32{m.norm2}, pr, 0, out[:], nil)
		est := float64(out[0] + pr.meta.norm2)
		exact := float64(sqDist(&a.Vector, &b.Vector))
		worst = max(worst, math.Abs(est-exact))
	}
	if worst > 0.025 { // measured ~0.013 (7-bit codes: ~0.03); the exact re-rank absorbs it
		t.Fatalf("squared-distance error %.4f exceeds 0.025", worst)
	}
	t.Logf("max |estimated - exact| squared distance: %.5f", worst)
}

func TestQuantize(t *testing.T) {
	cases := []struct {
		name      string
		v         func(*[Dim]float32)
		wantCodes map[int]int8 // spot checks
		wantInv   float32
	}{
		{"zero", func(*[Dim]float32) {}, map[int]int8{0: 0, Dim - 1: 0}, 0},
		{"max maps to ±127", func(v *[Dim]float32) { v[0], v[1], v[2] = 2, -2, 1 },
			map[int]int8{0: 127, 1: -127, 2: 64, 3: 0}, 2.0 / 127},
		{"single negative", func(v *[Dim]float32) { v[5] = -0.5 }, map[int]int8{5: -127, 0: 0}, 0.5 / 127},
	}
	for _, c := range cases {
		var v [Dim]float32
		c.v(&v)
		codes := make([]byte, Dim)
		for i := range codes {
			codes[i] = 0xAA // must be overwritten
		}
		m := quantize(&v, codes)
		for i, want := range c.wantCodes {
			if got := int(codes[i]) - qBias; got != int(want) {
				t.Errorf("%s: code[%d] = %d want %d", c.name, i, got, want)
			}
		}
		for i, u := range codes {
			if u == 0 { // stored c+qBias with |c| ≤ qMax: never 0
				t.Errorf("%s: stored byte %d is 0", c.name, i)
			}
		}
		if m.invScale != c.wantInv {
			t.Errorf("%s: invScale %v want %v", c.name, m.invScale, c.wantInv)
		}
	}
}
