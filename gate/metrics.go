package gate

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics is a small Prometheus text-format registry for the gate API: requests by route and
// status, decisions, deny reasons and latency histograms. Label values come from fixed sets
// (route names, reason codes, HTTP statuses), never from request data, so cardinality is bounded.
type Metrics struct {
	mu        sync.RWMutex
	requests  map[[2]string]*atomic.Uint64 // route, status
	decisions map[[2]string]*atomic.Uint64 // route, decision
	reasons   map[string]*atomic.Uint64
	latency   map[string]*histogram // route
}

// latencyBuckets (seconds) span a cached verify (~1 ms) to a slow status-list fetch.
var latencyBuckets = []float64{0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type histogram struct {
	counts [13]atomic.Uint64 // len(latencyBuckets)+1 (+Inf)
	sumNS  atomic.Uint64
}

// NewMetrics returns an empty registry.
func NewMetrics() *Metrics {
	return &Metrics{
		requests: map[[2]string]*atomic.Uint64{}, decisions: map[[2]string]*atomic.Uint64{},
		reasons: map[string]*atomic.Uint64{}, latency: map[string]*histogram{},
	}
}

// counter returns the counter for k, creating it under the write lock on first use.
func counter[K comparable](mu *sync.RWMutex, m map[K]*atomic.Uint64, k K) *atomic.Uint64 {
	mu.RLock()
	c := m[k]
	mu.RUnlock()
	if c != nil {
		return c
	}
	mu.Lock()
	defer mu.Unlock()
	if c = m[k]; c == nil {
		c = new(atomic.Uint64)
		m[k] = c
	}
	return c
}

// ObserveRequest counts one HTTP request of route with its status and latency.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	counter(&m.mu, m.requests, [2]string{route, statusText(status)}).Add(1)
	m.mu.RLock()
	h := m.latency[route]
	m.mu.RUnlock()
	if h == nil {
		m.mu.Lock()
		if h = m.latency[route]; h == nil {
			h = &histogram{}
			m.latency[route] = h
		}
		m.mu.Unlock()
	}
	s := d.Seconds()
	i := sort.SearchFloat64s(latencyBuckets, s) // first bucket >= s
	h.counts[i].Add(1)
	h.sumNS.Add(uint64(d.Nanoseconds()))
}

// ObserveDecision counts a decision and each of its reasons.
func (m *Metrics) ObserveDecision(route string, d *Decision) {
	counter(&m.mu, m.decisions, [2]string{route, d.Decision}).Add(1)
	for _, r := range d.Reasons {
		counter(&m.mu, m.reasons, string(r)).Add(1)
	}
}

func statusText(s int) string {
	if s >= 100 && s <= 599 {
		return fmt.Sprint(s)
	}
	return "other"
}

// WritePrometheus writes the registry in the Prometheus text exposition format 0.0.4.
func (m *Metrics) WritePrometheus(w io.Writer) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var b strings.Builder
	b.WriteString("# HELP idgate_gate_requests_total Gate API requests by route and HTTP status.\n# TYPE idgate_gate_requests_total counter\n")
	for _, k := range sortedKeys(m.requests, func(k [2]string) string { return k[0] + "\x00" + k[1] }) {
		fmt.Fprintf(&b, "idgate_gate_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.requests[k].Load())
	}
	b.WriteString("# HELP idgate_gate_decisions_total Gate decisions by route and outcome.\n# TYPE idgate_gate_decisions_total counter\n")
	for _, k := range sortedKeys(m.decisions, func(k [2]string) string { return k[0] + "\x00" + k[1] }) {
		fmt.Fprintf(&b, "idgate_gate_decisions_total{route=%q,decision=%q} %d\n", k[0], k[1], m.decisions[k].Load())
	}
	b.WriteString("# HELP idgate_gate_deny_reasons_total Deny reasons (a deny may carry several).\n# TYPE idgate_gate_deny_reasons_total counter\n")
	for _, k := range sortedKeys(m.reasons, func(k string) string { return k }) {
		fmt.Fprintf(&b, "idgate_gate_deny_reasons_total{reason=%q} %d\n", k, m.reasons[k].Load())
	}
	b.WriteString("# HELP idgate_gate_request_duration_seconds Gate API latency by route.\n# TYPE idgate_gate_request_duration_seconds histogram\n")
	for _, route := range sortedKeys(m.latency, func(k string) string { return k }) {
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

func sortedKeys[K comparable, V any](m map[K]V, str func(K) string) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return str(keys[i]) < str(keys[j]) })
	return keys
}
