package biometric

import (
	"fmt"
	"math"
	"slices"
)

// MaxCalibrationSamples bounds Calibrate: n samples make n(n-1)/2 pairs (50M at the bound,
// 200 MB of float32 distances).
const MaxCalibrationSamples = 10000

// Labeled is a template with the identity it belongs to.
type Labeled struct {
	Label string
	T     Template
}

// DistanceStats summarises one pair population.
type DistanceStats struct {
	Count            int
	Min, Median, Max float32
}

// ThresholdPoint is the error trade-off at one threshold (match means distance < Threshold).
type ThresholdPoint struct {
	Threshold       float32
	FMR             float64 // impostor pairs that match / impostor pairs
	FNMR            float64 // genuine pairs that do not match / genuine pairs
	FalseMatches    int
	FalseNonMatches int
}

// CalibrationReport holds every genuine (same label) and impostor (different label) pair
// distance, sorted, plus summaries.
type CalibrationReport struct {
	Genuine, Impostor DistanceStats
	Points            []ThresholdPoint

	genuine, impostor []float32 // sorted ascending
}

// Calibrate computes all pairwise distances of samples, split by whether the labels agree, and
// FMR/FNMR at each threshold. All samples must come from one model.
func Calibrate(samples []Labeled, thresholds []float32) (*CalibrationReport, error) {
	if len(samples) < 2 || len(samples) > MaxCalibrationSamples {
		return nil, fmt.Errorf("%w: need 2..%d samples, got %d", ErrInvalidArgument, MaxCalibrationSamples, len(samples))
	}
	for i := range samples {
		if samples[i].Label == "" {
			return nil, fmt.Errorf("%w: sample %d has no label", ErrInvalidArgument, i)
		}
		if err := samples[i].T.validate(); err != nil {
			return nil, fmt.Errorf("sample %d: %w", i, err)
		}
		if samples[i].T.Model != samples[0].T.Model {
			return nil, fmt.Errorf("sample %d: %w", i, ErrModelMismatch)
		}
	}
	for _, thr := range thresholds {
		if !finite(thr) || thr <= 0 {
			return nil, fmt.Errorf("%w: threshold %v", ErrInvalidOperatingPoint, thr)
		}
	}
	rep := &CalibrationReport{}
	for i := range samples {
		for j := i + 1; j < len(samples); j++ {
			d := float32(math.Sqrt(float64(sqDist(&samples[i].T.Vector, &samples[j].T.Vector))))
			if samples[i].Label == samples[j].Label {
				rep.genuine = append(rep.genuine, d)
			} else {
				rep.impostor = append(rep.impostor, d)
			}
		}
	}
	slices.Sort(rep.genuine)
	slices.Sort(rep.impostor)
	rep.Genuine, rep.Impostor = stats(rep.genuine), stats(rep.impostor)
	for _, thr := range thresholds {
		fm := countBelow(rep.impostor, thr)
		fnm := len(rep.genuine) - countBelow(rep.genuine, thr)
		rep.Points = append(rep.Points, ThresholdPoint{
			Threshold: thr, FalseMatches: fm, FalseNonMatches: fnm,
			FMR: ratio(fm, len(rep.impostor)), FNMR: ratio(fnm, len(rep.genuine)),
		})
	}
	return rep, nil
}

// ThresholdForFMR returns the largest threshold whose FMR does not exceed target, with the FMR
// and FNMR actually achieved there. With no impostor pairs, or a target outside [0, 1], all
// three results are NaN.
func (r *CalibrationReport) ThresholdForFMR(target float64) (thr float32, achievedFMR, fnmr float64) {
	nan := math.NaN()
	if len(r.impostor) == 0 || !(target >= 0 && target <= 1) {
		return float32(nan), nan, nan
	}
	// Allowing m false matches means the threshold may sit at the (m+1)-th smallest impostor
	// distance: only the m strictly below it match.
	m := int(math.Floor(target * float64(len(r.impostor))))
	if m >= len(r.impostor) {
		thr = math.Nextafter32(r.impostor[len(r.impostor)-1], float32(math.Inf(1)))
	} else {
		thr = r.impostor[m]
	}
	fm := countBelow(r.impostor, thr)
	fnm := len(r.genuine) - countBelow(r.genuine, thr)
	return thr, ratio(fm, len(r.impostor)), ratio(fnm, len(r.genuine))
}

// countBelow is the number of values in the sorted slice strictly below thr.
func countBelow(sorted []float32, thr float32) int {
	i, _ := slices.BinarySearch(sorted, thr)
	return i
}

func stats(sorted []float32) DistanceStats {
	n := len(sorted)
	if n == 0 {
		return DistanceStats{}
	}
	med := sorted[n/2]
	if n%2 == 0 {
		med = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	return DistanceStats{Count: n, Min: sorted[0], Median: med, Max: sorted[n-1]}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}
