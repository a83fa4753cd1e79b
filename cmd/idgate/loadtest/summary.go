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
	pr("\n  latency        p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms\n", r.P50MS, r.P99MS, r.P999MS, r.MaxMS)
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
