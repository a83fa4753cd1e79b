package gate_test

import (
	"math"
	"testing"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

func TestParseThreshold(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float32 // 0 = rejected
	}{
		{"0.5", 0.5}, {" 0.42 ", 0.42}, {"1e-1", 0.1},
		{"Inf", 0}, {"+Inf", 0}, {"-Inf", 0}, {"infinity", 0}, {"NaN", 0},
		{"0", 0}, {"-0.5", 0}, {"1e39", 0}, {"", 0}, {"0.5x", 0},
	} {
		got, err := gate.ParseThreshold(c.in)
		if c.want == 0 {
			if err == nil || !isCode(err, gate.CodeInvalidRequest) {
				t.Errorf("ParseThreshold(%q) = %v, %v; want invalid_request", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseThreshold(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// TestNewRejectsThreshold: a non-finite or non-positive threshold never reaches Identify,
// where +Inf would board any face in the gallery.
func TestNewRejectsThreshold(t *testing.T) {
	w := gatetest.New(t)
	for _, thr := range []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), -0.5} {
		cfg := w.Config(t)
		cfg.OperatingPoint.Threshold = thr
		if _, err := gate.New(cfg); err == nil {
			t.Errorf("gate.New accepted threshold %v", thr)
		}
	}
	cfg := w.Config(t)
	cfg.OperatingPoint.Threshold = 0.6
	if _, err := gate.New(cfg); err != nil {
		t.Errorf("threshold 0.6: %v", err)
	}
}

func isCode(err error, code gate.Reason) bool { return gate.CodeOf(err) == code }
