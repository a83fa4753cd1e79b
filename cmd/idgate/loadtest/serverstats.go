package loadtest

import (
	"bufio"
	"bytes"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/internal/procstat"
)

// ServerSample is the verifier's resource use at one moment of a soak. A field that could not
// be read is 0 (goroutines and heap come from the verifier's /metrics; RSS and open files from
// /proc/PID when the verifier is this run's child, else from /metrics too).
type ServerSample struct {
	AtS        float64 `json:"at_s"` // seconds since the soak started
	RSSBytes   int64   `json:"rss_bytes"`
	Goroutines int64   `json:"goroutines"`
	OpenFiles  int64   `json:"open_files"`
	HeapBytes  int64   `json:"heap_bytes"` // allocated Go heap objects
}

// maxMetricsBytes bounds the /metrics answer read by the sampler.
const maxMetricsBytes = 1 << 20

// serverSampler reads ServerSamples of one verifier.
type serverSampler struct {
	pid int // the child verifier's pid; 0 against a Target
	url string
	hc  *fasthttp.HostClient
}

func newServerSampler(base string, pid int) *serverSampler {
	hc := newHostClient(hostOf(base), 1)
	hc.MaxResponseBodySize = maxMetricsBytes
	hc.MaxConnWaitTimeout = 10 * time.Second // samples never overlap by design; wait rather than fail if they do
	return &serverSampler{pid: pid, url: base + "/metrics", hc: hc}
}

func hostOf(base string) string {
	_, host, _ := bytes.Cut([]byte(base), []byte("://"))
	return string(host)
}

func (s *serverSampler) sample(at time.Duration) ServerSample {
	out := ServerSample{AtS: at.Seconds()}
	g := s.gauges()
	out.Goroutines, out.HeapBytes = g["go_goroutines"], g["go_memstats_heap_alloc_bytes"]
	out.RSSBytes, out.OpenFiles = g["process_resident_memory_bytes"], g["process_open_fds"]
	if s.pid > 0 { // from outside the process: what the kernel says, not what it reports
		if rss, err := procstat.RSS(s.pid); err == nil {
			out.RSSBytes = rss
		}
		if n, err := procstat.OpenFDs(s.pid); err == nil {
			out.OpenFiles = int64(n)
		}
	}
	return out
}

// gauges fetches /metrics and reads the unlabelled gauges the sampler knows.
func (s *serverSampler) gauges() map[string]int64 {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(s.url)
	err := s.hc.DoTimeout(req, resp, 10*time.Second)
	if err != nil || resp.StatusCode() != fasthttp.StatusOK {
		return nil
	}
	return parseGauges(resp.Body())
}

// parseGauges reads "name value" lines of a Prometheus text exposition for the gauges a soak
// follows; labelled series, comments and other names are skipped.
func parseGauges(b []byte) map[string]int64 {
	want := map[string]bool{"go_goroutines": true, "go_memstats_heap_alloc_bytes": true,
		"process_resident_memory_bytes": true, "process_open_fds": true}
	out := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, val, ok := bytes.Cut(sc.Bytes(), []byte{' '})
		if !ok || !want[string(name)] {
			continue
		}
		if v, err := strconv.ParseFloat(string(bytes.TrimSpace(val)), 64); err == nil && v >= 0 && v < 1<<62 {
			out[string(name)] = int64(v)
		}
	}
	return out
}
