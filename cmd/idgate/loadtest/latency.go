package loadtest

import (
	"slices"
	"time"
)

// percentiles are nearest-rank percentiles of a set of latencies.
type percentiles struct {
	P50, P90, P99, P999, Max time.Duration
}

// percentilesOf sorts a copy of lat and reads the nearest-rank p50, p90, p99, p99.9 and max.
func percentilesOf(lat []time.Duration) percentiles {
	if len(lat) == 0 {
		return percentiles{}
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return percentiles{P50: rank(s, 0.50), P90: rank(s, 0.90), P99: rank(s, 0.99), P999: rank(s, 0.999), Max: s[len(s)-1]}
}

// rank is the nearest-rank percentile q of sorted s: the smallest value with at least q of
// the samples at or below it.
func rank(s []time.Duration, q float64) time.Duration {
	k := int(q*float64(len(s))+0.999999999) - 1
	return s[min(max(k, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
