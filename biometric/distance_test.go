package biometric

import (
	"errors"
	"math"
	"testing"
)

func TestDistance(t *testing.T) {
	var a, b Template
	a.Model, b.Model = "m", "m"
	a.Vector[0], b.Vector[0] = 3, 0
	a.Vector[127], b.Vector[127] = 0, 4 // 3-4-5 triangle across first and last lane
	d, err := Distance(a, b)
	if err != nil || d != 5 {
		t.Fatalf("got %v, %v; want 5", d, err)
	}
	if d, _ := Distance(a, a); d != 0 {
		t.Fatalf("self distance %v", d)
	}
	b.Model = "other"
	if _, err := Distance(a, b); !errors.Is(err, ErrModelMismatch) {
		t.Fatalf("got %v, want ErrModelMismatch", err)
	}
	b.Model = "m"
	b.Vector[7] = float32(math.Inf(1))
	if _, err := Distance(a, b); !errors.Is(err, ErrInvalidTemplate) {
		t.Fatalf("got %v, want ErrInvalidTemplate", err)
	}
	if _, err := Distance(Template{}, Template{}); !errors.Is(err, ErrInvalidTemplate) {
		t.Fatalf("zero templates: got %v", err)
	}
}

func TestVerify(t *testing.T) {
	var a, b Template
	a.Model, b.Model = "m", "m"
	b.Vector[3] = 0.5
	cases := []struct {
		name    string
		op      OperatingPoint
		match   bool
		wantErr error
	}{
		{"below", OperatingPoint{Threshold: 0.6}, true, nil},
		{"equal is not a match", OperatingPoint{Threshold: 0.5}, false, nil},
		{"above", OperatingPoint{Threshold: 0.4}, false, nil},
		{"zero value", OperatingPoint{}, false, ErrInvalidOperatingPoint},
		{"negative", OperatingPoint{Threshold: -1}, false, ErrInvalidOperatingPoint},
		{"inf", OperatingPoint{Threshold: float32(math.Inf(1))}, false, ErrInvalidOperatingPoint},
		{"nan", OperatingPoint{Threshold: float32(math.NaN())}, false, ErrInvalidOperatingPoint},
	}
	for _, c := range cases {
		d, err := c.op.Verify(a, b)
		if !errors.Is(err, c.wantErr) || (err == nil && (d.Match != c.match || d.Distance != 0.5 || d.Threshold != c.op.Threshold)) {
			t.Errorf("%s: got %+v, %v", c.name, d, err)
		}
	}
	if op := DefaultOperatingPoint(); op.Threshold != 0.5 || op.TargetFMR != 1e-3 || op.FMR != 0 || op.Source == "" {
		t.Fatalf("default operating point changed without calibration evidence: %+v", op)
	}
}
