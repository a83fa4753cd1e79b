package loadtest

import (
	"fmt"
	"io"
	"sort"
)

// WriteSummary prints the report for people.
func (r *Report) WriteSummary(w io.Writer) error {
	pr := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	pr("idgate loadtest: %s, %s loop, server %s, %d cores (GOMAXPROCS %d), %d connections\n",
		r.Mode, r.Loop, r.Server, r.Cores, r.GOMAXPROCS, r.Connections)
	if r.Mode == "identify" {
		pr("  gallery        %d enrolled in %.1f s over HTTP; first identify (gallery load) %.1f ms\n",
			r.Gallery, r.EnrolS, r.GalleryMS)
	}
	pr("  requests       %d in %.2f s, %d errors", r.Requests, r.DurationS, r.Errors)
	if r.Exhausted {
		pr(" (every pre-generated passenger used)")
	}
	pr("\n  throughput     %.0f req/s", r.ThroughputRPS)
	if r.Loop == "open" {
		pr(" (target %.0f/s; p99 send lag %.3f ms)", r.TargetRPS, r.LagP99MS)
	}
	pr("\n  latency        p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms\n", r.P50MS, r.P90MS, r.P99MS, r.P999MS, r.MaxMS)
	if r.LiveJPEGBytes > 0 {
		pr("  live face      a %d-byte JPEG per request (live_jpeg: decode, detect, landmarks, liveness, descriptor on the verifier)\n", r.LiveJPEGBytes)
	}
	if r.CryptoBoundRPS > 0 {
		pr("  crypto bound   %.0f verifications/s (3x ES256 verify + 1x ECDH P-256 on %d goroutines, %s)\n",
			r.CryptoBoundRPS, r.GOMAXPROCS, r.BoundWhen)
		pr("                 (before %.0f/s, after %.0f/s)\n", r.BoundBeforeRPS, r.BoundAfterRPS)
		pr("  ratio          %.3f of the bound\n", r.Ratio)
	}
	if r.ServerCPUUS > 0 || r.GeneratorCPUUS > 0 {
		pr("  cpu/request    server %.0f µs, load generator %.0f µs", r.ServerCPUUS, r.GeneratorCPUUS)
		if r.BoundCPUUS > 0 {
			pr("; crypto bound %.0f µs per verification", r.BoundCPUUS)
		}
		if r.CPURatio > 0 {
			pr(" (cpu ratio %.3f)", r.CPURatio)
		}
		pr("\n")
	}
	if f := r.HTTPFloor; f != nil {
		pr("  http floor     %.0f req/s against an HTTP-only server, same requests and connections; cpu/request server %.0f µs, load generator %.0f µs\n",
			f.ThroughputRPS, f.ServerCPUUS, f.GeneratorCPUUS)
	}
	if h := r.HalfRate; h != nil {
		pr("  half rate      %.0f req/s open loop (target %.0f/s): %d requests, %d errors\n", h.ThroughputRPS, h.TargetRPS, h.Requests, h.Errors)
		pr("                 p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms (p99 send lag %.3f ms)\n", h.P50MS, h.P99MS, h.P999MS, h.MaxMS, h.LagP99MS)
		for c, n := range h.ErrorCodes {
			pr("  half-rate err  %6d  %s\n", n, c)
		}
	}
	if s := r.Soak; s != nil {
		s.writeSummary(pr)
	}
	if len(r.ErrorCodes) > 0 {
		codes := make([]string, 0, len(r.ErrorCodes))
		for c := range r.ErrorCodes {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			pr("  error          %6d  %s\n", r.ErrorCodes[c], c)
		}
	}
	return nil
}

// writeSummary prints the soak: totals, one line per window, the server at idle, start and
// end, and the verdict.
func (s *SoakReport) writeSummary(pr func(string, ...any)) {
	pr("  soak           %.0f s open loop at %.0f/s (%.0f%% of the maximum) on %d connections, %d holders: %d requests, %d errors\n",
		s.DurationS, s.TargetRPS, 100*s.Fraction, s.Connections, s.Holders, s.Requests, s.Errors)
	pr("                 p50 %.3f ms  p99 %.3f ms  max %.3f ms; cpu/request server %.0f µs, load generator %.0f µs (building each request included)\n",
		s.P50MS, s.P99MS, s.MaxMS, s.ServerCPUUS, s.GeneratorCPUUS)
	pr("  %8s %9s %7s %9s %9s %9s %9s %9s %8s %10s %6s %8s %7s %7s %7s %7s\n",
		"window", "requests", "errors", "p50 ms", "p99 ms", "max ms", "lag p99", "feed late", "rss MiB", "goroutines", "files", "heap MiB",
		"srv µs", "srv cpu", "gen cpu", "others")
	for _, w := range s.Windows {
		pr("  %7.0fs %9d %7d %9.3f %9.3f %9.3f %9.3f %9d %8.1f %10d %6d %8.1f %7.0f %7.2f %7.2f %7.2f\n", w.StartS, w.Requests, w.Errors,
			w.P50MS, w.P99MS, w.MaxMS, w.LagP99MS, w.FeedLate, mib(w.Server.RSSBytes), w.Server.Goroutines, w.Server.OpenFiles, mib(w.Server.HeapBytes),
			w.ServerCPUUS, w.ServerCores, w.GeneratorCores, w.OtherCores)
	}
	pr("  (srv µs: server CPU per answered request; srv/gen cpu, others: cores used by the server, the load generator and every other process)\n")
	for _, x := range []struct {
		name string
		v    ServerSample
	}{{"idle", s.Idle}, {"start", s.Start}, {"end", s.End}, {"after", s.After}} {
		pr("  server %-7s at %6.0f s: rss %.1f MiB, %d goroutines, %d open files, heap %.1f MiB\n",
			x.name, x.v.AtS, mib(x.v.RSSBytes), x.v.Goroutines, x.v.OpenFiles, mib(x.v.HeapBytes))
	}
	verdict := "goal met"
	if !s.Verdict.Pass {
		verdict = "goal NOT met"
	}
	pr("  soak verdict   %s (%s)\n", verdict, soakGoalText)
	for _, c := range s.Verdict.Checks {
		mark := "ok  "
		if !c.Pass {
			mark = "FAIL"
		}
		pr("    %s %-10s %s\n", mark, c.Name, c.Detail)
	}
	for c, n := range s.ErrorCodes {
		pr("  soak error     %6d  %s\n", n, c)
	}
}
