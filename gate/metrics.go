package gate

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Metrics is a small Prometheus text-format registry of the gate's decisions: by route and
// outcome, and deny reasons. Label values come from fixed sets (route names, reason codes),
// never from request data, so cardinality is bounded. The HTTP layer counts requests and
// their latency (verifier).
type Metrics struct {
	mu        sync.RWMutex
	decisions map[[2]string]*atomic.Uint64 // route, decision
	reasons   map[string]*atomic.Uint64
}

// NewMetrics returns an empty registry.
func NewMetrics() *Metrics {
	return &Metrics{decisions: map[[2]string]*atomic.Uint64{}, reasons: map[string]*atomic.Uint64{}}
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

// ObserveDecision counts a decision and each of its reasons.
func (m *Metrics) ObserveDecision(route string, d *Decision) {
	counter(&m.mu, m.decisions, [2]string{route, d.Decision}).Add(1)
	for _, r := range d.Reasons {
		counter(&m.mu, m.reasons, string(r)).Add(1)
	}
}

// WritePrometheus writes the registry in the Prometheus text exposition format 0.0.4.
func (m *Metrics) WritePrometheus(w io.Writer) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var b strings.Builder
	b.WriteString("# HELP idgate_gate_decisions_total Gate decisions by route and outcome.\n# TYPE idgate_gate_decisions_total counter\n")
	for _, k := range sortedKeys(m.decisions, func(k [2]string) string { return k[0] + "\x00" + k[1] }) {
		fmt.Fprintf(&b, "idgate_gate_decisions_total{route=%q,decision=%q} %d\n", k[0], k[1], m.decisions[k].Load())
	}
	b.WriteString("# HELP idgate_gate_deny_reasons_total Deny reasons (a deny may carry several).\n# TYPE idgate_gate_deny_reasons_total counter\n")
	for _, k := range sortedKeys(m.reasons, func(k string) string { return k }) {
		fmt.Fprintf(&b, "idgate_gate_deny_reasons_total{reason=%q} %d\n", k, m.reasons[k].Load())
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
