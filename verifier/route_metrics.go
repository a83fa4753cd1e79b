package verifier

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// routeMetrics counts the gate API's HTTP requests by route and status, with a latency
// histogram per route. Routes and statuses come from fixed sets, never from request data, so
// cardinality is bounded. The zero value is ready to use.
type routeMetrics struct {
	mu       sync.RWMutex
	requests map[[2]string]*atomic.Uint64 // route, status
	latency  map[string]*histogram        // route
}

// latencyBuckets (seconds) span a cached verify (~1 ms) to a slow status-list fetch.
var latencyBuckets = []float64{0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type histogram struct {
	counts [13]atomic.Uint64 // len(latencyBuckets)+1 (+Inf)
	sumNS  atomic.Uint64
}

// observe counts one request of route with its status and latency.
func (m *routeMetrics) observe(route string, status int, d time.Duration) {
	k := [2]string{route, statusText(status)}
	m.mu.RLock()
	c, h := m.requests[k], m.latency[route]
	m.mu.RUnlock()
	if c == nil || h == nil {
		m.mu.Lock()
		if m.requests == nil {
			m.requests, m.latency = map[[2]string]*atomic.Uint64{}, map[string]*histogram{}
		}
		if c = m.requests[k]; c == nil {
			c = new(atomic.Uint64)
			m.requests[k] = c
		}
		if h = m.latency[route]; h == nil {
			h = &histogram{}
			m.latency[route] = h
		}
		m.mu.Unlock()
	}
	c.Add(1)
	h.counts[sort.SearchFloat64s(latencyBuckets, d.Seconds())].Add(1) // first bucket >= d
	h.sumNS.Add(uint64(d.Nanoseconds()))
}

func statusText(s int) string {
	if s >= 100 && s <= 599 {
		return fmt.Sprint(s)
	}
	return "other"
}

// writeRequests writes the request counters in the Prometheus text exposition format 0.0.4.
func (m *routeMetrics) writeRequests(w io.Writer) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var b strings.Builder
	b.WriteString("# HELP idgate_gate_requests_total Gate API requests by route and HTTP status.\n# TYPE idgate_gate_requests_total counter\n")
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+"\x00"+keys[i][1] < keys[j][0]+"\x00"+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(&b, "idgate_gate_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.requests[k].Load())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeLatency writes the latency histograms in the Prometheus text exposition format 0.0.4.
func (m *routeMetrics) writeLatency(w io.Writer) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var b strings.Builder
	b.WriteString("# HELP idgate_gate_request_duration_seconds Gate API latency by route.\n# TYPE idgate_gate_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, route := range routes {
		h := m.latency[route]
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i].Load()
			fmt.Fprintf(&b, "idgate_gate_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", route, le, cum)
		}
		cum += h.counts[len(latencyBuckets)].Load()
		fmt.Fprintf(&b, "idgate_gate_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", route, cum)
		fmt.Fprintf(&b, "idgate_gate_request_duration_seconds_sum{route=%q} %g\n", route, float64(h.sumNS.Load())/1e9)
		fmt.Fprintf(&b, "idgate_gate_request_duration_seconds_count{route=%q} %d\n", route, cum)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
