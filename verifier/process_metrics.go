package verifier

import (
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"strings"

	"github.com/idgate/idgate/internal/procstat"
)

// processSamples are read from the Go runtime without stopping the world (unlike
// runtime.ReadMemStats), so a scrape costs a busy server nothing it would notice.
var processSamples = []string{"/sched/goroutines:goroutines", "/memory/classes/heap/objects:bytes"}

// writeProcessMetrics writes the process's own gauges in the Prometheus text format: live
// goroutines, bytes of allocated heap objects and, where /proc exists, the resident set and
// the open file descriptors. Growth of any of them under a steady load is a leak (idgate
// loadtest --soak reads them).
func writeProcessMetrics(w io.Writer) error {
	s := make([]metrics.Sample, len(processSamples))
	for i, name := range processSamples {
		s[i].Name = name
	}
	metrics.Read(s)
	var b strings.Builder
	gauge := func(name, help string, v uint64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
	}
	if s[0].Value.Kind() == metrics.KindUint64 {
		gauge("go_goroutines", "Goroutines that currently exist.", s[0].Value.Uint64())
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		gauge("go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", s[1].Value.Uint64())
	}
	if rss, err := procstat.RSS(os.Getpid()); err == nil {
		gauge("process_resident_memory_bytes", "Resident memory size in bytes.", uint64(rss))
	}
	if n, err := procstat.OpenFDs(os.Getpid()); err == nil {
		gauge("process_open_fds", "Open file descriptors.", uint64(n))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
