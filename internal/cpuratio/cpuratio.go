package cpuratio

import (
	"runtime"
	"testing"
	"time"
)

// Run runs ours then raw once per iteration, b.N times, on one locked OS thread, and reports
// their wall time per operation under the metric names oursMetric and rawMetric (such as
// "verify-ns/op" and "raw-ns/op"), ratio = ours / raw in wall time and cpu-ratio = ours / raw
// in thread CPU time. An error from ours or false from raw fails the benchmark.
func Run(b *testing.B, ours func() error, raw func() bool, oursMetric, rawMetric string) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wo, wr time.Duration
	var co, cr int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c0, t0 := ThreadCPU(), time.Now()
		if err := ours(); err != nil {
			b.Fatal(err)
		}
		c1, t1 := ThreadCPU(), time.Now()
		if !raw() {
			b.Fatal("raw work failed")
		}
		wo, wr = wo+t1.Sub(t0), wr+time.Since(t1)
		co, cr = co+c1-c0, cr+ThreadCPU()-c1
	}
	b.ReportMetric(float64(wo.Nanoseconds())/float64(b.N), oursMetric)
	b.ReportMetric(float64(wr.Nanoseconds())/float64(b.N), rawMetric)
	b.ReportMetric(float64(wo)/float64(wr), "ratio")
	b.ReportMetric(float64(co)/float64(cr), "cpu-ratio")
}
