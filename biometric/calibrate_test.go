package biometric

import (
	"errors"
	"math"
	"testing"
)

func line(label string, x float32) Labeled {
	var t Template
	t.Model = testModel
	t.Vector[0] = x
	return Labeled{Label: label, T: t}
}

// TestCalibrateHandComputed: points on a line, so every distance is known.
// a:{0, 0.3}  b:{1.0, 1.2}  -> genuine {0.3, 0.2}; impostor {1.0, 1.2, 0.7, 0.9}.
func TestCalibrateHandComputed(t *testing.T) {
	s := []Labeled{line("a", 0), line("a", 0.3), line("b", 1.0), line("b", 1.2)}
	rep, err := Calibrate(s, []float32{0.25, 0.8, 1.1})
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-6 }
	if g := rep.Genuine; g.Count != 2 || !near(g.Min, 0.2) || !near(g.Median, 0.25) || !near(g.Max, 0.3) {
		t.Fatalf("genuine %+v", g)
	}
	if i := rep.Impostor; i.Count != 4 || !near(i.Min, 0.7) || !near(i.Median, 0.95) || !near(i.Max, 1.2) {
		t.Fatalf("impostor %+v", i)
	}
	want := []struct {
		fmr, fnmr float64
	}{{0, 0.5}, {0.25, 0}, {0.75, 0}}
	for i, p := range rep.Points {
		if p.FMR != want[i].fmr || p.FNMR != want[i].fnmr {
			t.Errorf("threshold %v: FMR %v FNMR %v, want %v", p.Threshold, p.FMR, p.FNMR, want[i])
		}
	}
	cases := []struct {
		target    float64
		thr       float32
		fmr, fnmr float64
	}{
		{0, 0.7, 0, 0},       // no false match allowed: threshold at the closest impostor
		{0.25, 0.9, 0.25, 0}, // one of four allowed
		{0.49, 0.9, 0.25, 0},
		{1, math.Nextafter32(1.2, 2), 1, 0},
	}
	for _, c := range cases {
		thr, fmr, fnmr := rep.ThresholdForFMR(c.target)
		if !near(thr, c.thr) || fmr != c.fmr || fnmr != c.fnmr {
			t.Errorf("target %v: got %v %v %v", c.target, thr, fmr, fnmr)
		}
	}
	if thr, _, _ := rep.ThresholdForFMR(math.NaN()); !math.IsNaN(float64(thr)) {
		t.Error("NaN target accepted")
	}
}

func TestCalibrateRejects(t *testing.T) {
	other := line("b", 1)
	other.T.Model = "other"
	cases := []struct {
		name string
		s    []Labeled
		thr  []float32
		want error
	}{
		{"one sample", []Labeled{line("a", 0)}, nil, ErrInvalidArgument},
		{"no label", []Labeled{line("a", 0), line("", 1)}, nil, ErrInvalidArgument},
		{"mixed models", []Labeled{line("a", 0), other}, nil, ErrModelMismatch},
		{"bad threshold", []Labeled{line("a", 0), line("b", 1)}, []float32{float32(math.Inf(1))}, ErrInvalidOperatingPoint},
	}
	for _, c := range cases {
		if _, err := Calibrate(c.s, c.thr); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v", c.name, err)
		}
	}
}

// TestCalibrateIdols measures (does not tune on) the shared set; run with -v to see the numbers.
func TestCalibrateIdols(t *testing.T) {
	faces := loadIdols(t)
	thrs := []float32{0.4, 0.45, 0.5, 0.55, 0.6}
	rep, err := Calibrate(faces, thrs)
	if err != nil {
		t.Fatal(err)
	}
	n := len(faces)
	if rep.Genuine.Count+rep.Impostor.Count != n*(n-1)/2 || rep.Genuine.Count == 0 {
		t.Fatalf("pair counts %d + %d for %d samples", rep.Genuine.Count, rep.Impostor.Count, n)
	}
	// Sanity on the model, not a tuned bound: same-person pairs are closer on the median.
	if rep.Genuine.Median >= rep.Impostor.Median {
		t.Fatalf("genuine median %v not below impostor median %v", rep.Genuine.Median, rep.Impostor.Median)
	}
	t.Logf("samples %d; genuine %+v; impostor %+v", n, rep.Genuine, rep.Impostor)
	for _, p := range rep.Points {
		t.Logf("thr %.2f  FMR %.5f (%d)  FNMR %.5f (%d)", p.Threshold, p.FMR, p.FalseMatches, p.FNMR, p.FalseNonMatches)
	}
	for _, target := range []float64{1e-3, 1e-4} {
		thr, fmr, fnmr := rep.ThresholdForFMR(target)
		if fmr > target {
			t.Fatalf("ThresholdForFMR(%v) achieved %v", target, fmr)
		}
		t.Logf("FMR target %g -> thr %.4f FMR %.6f FNMR %.4f", target, thr, fmr, fnmr)
	}
}
