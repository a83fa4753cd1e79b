package loadtest

import (
	"testing"
	"time"
)

func TestPercentilesNearestRank(t *testing.T) {
	seq := func(n int) []time.Duration { // 1..n ms, shuffled order must not matter
		out := make([]time.Duration, n)
		for i := range out {
			out[(i*3)%n] = time.Duration(i+1) * time.Millisecond
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   []time.Duration
		want percentiles
	}{
		{"empty", nil, percentiles{}},
		{"one", []time.Duration{3}, percentiles{3, 3, 3, 3, 3}},
		{"1000", seq(1000), percentiles{500 * time.Millisecond, 900 * time.Millisecond, 990 * time.Millisecond, 999 * time.Millisecond, 1000 * time.Millisecond}},
		{"1001", seq(1001), percentiles{501 * time.Millisecond, 901 * time.Millisecond, 991 * time.Millisecond, 1000 * time.Millisecond, 1001 * time.Millisecond}},
		{"10", seq(10), percentiles{5 * time.Millisecond, 9 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]time.Duration(nil), tc.in...)
			if got := percentilesOf(in); got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range in {
				if in[i] != tc.in[i] {
					t.Fatal("percentilesOf reordered its input")
				}
			}
		})
	}
}
