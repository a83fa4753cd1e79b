package biometric

import (
	"fmt"
	"math"
)

// Distance is the Euclidean distance between two descriptors, the metric dlib's face model is
// trained for. Templates from different models are an error (ErrModelMismatch), never a score.
func Distance(a, b Template) (float32, error) {
	if a.Model != b.Model {
		return 0, ErrModelMismatch
	}
	if err := validModelID(a.Model); err != nil {
		return 0, err
	}
	d := float32(math.Sqrt(float64(sqDist(&a.Vector, &b.Vector))))
	// Non-finite inputs (possible with struct literals) show up as a non-finite sum; checking
	// the result is cheaper than scanning both vectors first.
	if !finite(d) {
		return 0, fmt.Errorf("%w: non-finite distance", ErrInvalidTemplate)
	}
	return d, nil
}

// sqDist is the squared Euclidean distance with four independent accumulators so the adds
// pipeline instead of forming one dependency chain.
func sqDist(a, b *[Dim]float32) float32 {
	var s0, s1, s2, s3 float32
	for i := 0; i < Dim; i += 4 {
		d0 := a[i] - b[i]
		d1 := a[i+1] - b[i+1]
		d2 := a[i+2] - b[i+2]
		d3 := a[i+3] - b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	return (s0 + s1) + (s2 + s3)
}

// OperatingPoint is a decision threshold together with the evidence behind it.
type OperatingPoint struct {
	// Threshold: a pair matches when its distance is strictly below it (dlib's convention).
	Threshold float32
	// FMR is the false match rate measured at Threshold; 0 means not measured.
	FMR float64
	// Source says where the threshold came from (a calibration run id, or "provisional").
	Source string
}

// Decision is the outcome of a 1:1 comparison.
type Decision struct {
	Distance  float32
	Match     bool
	Threshold float32
}

// DefaultOperatingPoint is a placeholder until calibration on representative data sets it:
// 0.5 is stricter than dlib's customary 0.6 because the shared test set shows many
// different-person pairs below 0.6. Its FMR is unmeasured.
func DefaultOperatingPoint() OperatingPoint {
	return OperatingPoint{Threshold: 0.5, Source: "provisional"}
}

// Verify compares a probe with a reference at this operating point. A threshold that is not a
// positive finite number is rejected rather than silently matching everything or nothing.
func (op OperatingPoint) Verify(a, b Template) (Decision, error) {
	if !finite(op.Threshold) || op.Threshold <= 0 {
		return Decision{}, fmt.Errorf("%w: threshold %v", ErrInvalidOperatingPoint, op.Threshold)
	}
	d, err := Distance(a, b)
	if err != nil {
		return Decision{}, err
	}
	return Decision{Distance: d, Match: d < op.Threshold, Threshold: op.Threshold}, nil
}
