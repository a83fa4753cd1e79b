package loadtest

import (
	"fmt"
	"slices"
	"time"
)

// judgeSoak checks a soak against the goal: SoakGoalDuration long, no error, resident memory,
// goroutines and open files at most SoakGoalGrowth above their start (the end of the first
// window), and a stable p99: no window above SoakGoalP99Spread times the median window and no
// upward trend. A figure that could not be read fails its check.
func judgeSoak(r *SoakReport) SoakVerdict {
	var v SoakVerdict
	add := func(name string, pass bool, format string, args ...any) {
		v.Checks = append(v.Checks, SoakCheck{Name: name, Pass: pass, Detail: fmt.Sprintf(format, args...)})
	}
	goal := SoakGoalDuration.Seconds()
	add("duration", r.DurationS >= 0.99*goal, "%.0f s (goal %.0f s)", r.DurationS, goal)
	add("errors", r.Errors == 0, "%d of %d requests", r.Errors, r.Requests)
	growth := func(name string, start, end int64, unit func(int64) string) {
		if start <= 0 || end <= 0 {
			add(name, false, "not measured (start %d, end %d)", start, end)
			return
		}
		g := float64(end-start) / float64(start)
		add(name, g <= SoakGoalGrowth, "%s → %s (%+.1f%%, at most %+.0f%%)", unit(start), unit(end), 100*g, 100*SoakGoalGrowth)
	}
	inMiB := func(b int64) string { return fmt.Sprintf("%.1f MiB", mib(b)) }
	plain := func(n int64) string { return fmt.Sprint(n) }
	growth("rss", r.Start.RSSBytes, r.End.RSSBytes, inMiB)
	growth("goroutines", r.Start.Goroutines, r.End.Goroutines, plain)
	growth("open_files", r.Start.OpenFiles, r.End.OpenFiles, plain)

	var p99 []float64
	for _, w := range r.Windows {
		if w.Requests > 0 {
			p99 = append(p99, w.P99MS)
		}
	}
	if len(p99) < 2 {
		add("p99", false, "%d windows with requests: no trend to judge", len(p99))
	} else {
		first, second, all := median(p99[:len(p99)/2]), median(p99[(len(p99)+1)/2:]), median(p99)
		hi := slices.Max(p99)
		add("p99", second <= SoakGoalP99Trend*first && hi <= SoakGoalP99Spread*all,
			"window p99 %.2f–%.2f ms, median %.2f ms (highest at most %.0f×); median %.2f ms in the first half, %.2f ms in the second (at most %.1f×)",
			slices.Min(p99), hi, all, SoakGoalP99Spread, first, second, SoakGoalP99Trend)
	}
	v.Pass = true
	for _, c := range v.Checks {
		v.Pass = v.Pass && c.Pass
	}
	return v
}

// median of a non-empty set.
func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// soakGoalText says the goal in one line, for the summary.
var soakGoalText = fmt.Sprintf("%v, 0 errors, rss/goroutines/open files within +%.0f%%, p99 stable: no window above %.0f× the median, no upward trend",
	time.Duration(SoakGoalDuration), 100*SoakGoalGrowth, SoakGoalP99Spread)
