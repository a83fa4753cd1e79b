package gate

import (
	"context"
	"sort"
	"sync"
	"time"
)

// MemoryStore is the in-process Store: for tests and single-node demos (nothing survives a
// restart, so single use holds only for the process lifetime).
type MemoryStore struct {
	mu      sync.Mutex
	gates   map[string]GateConfig
	boarded map[boardKey]time.Time // → departure
	by      map[boardKey]AttemptID // → the request that boarded (Store.MarkBoardedBy), when named
	enrol   map[string]map[PassID]Enrolment
	nonces  map[nonceKey]time.Time // NonceStore: → expiry
}

type boardKey struct {
	flight string
	pass   PassID
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		gates: map[string]GateConfig{}, boarded: map[boardKey]time.Time{}, by: map[boardKey]AttemptID{},
		enrol: map[string]map[PassID]Enrolment{}, nonces: map[nonceKey]time.Time{},
	}
}

func (m *MemoryStore) PutGate(_ context.Context, g GateConfig) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gates[g.Gate] = g
	// A later departure (a delay) keeps the flight's boarding records until then.
	key := g.Flight.Key()
	for k, dep := range m.boarded {
		if k.flight == key && dep.Before(g.Departure) {
			m.boarded[k] = g.Departure
		}
	}
	return nil
}

func (m *MemoryStore) Gate(_ context.Context, id string) (GateConfig, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	g, ok := m.gates[id]
	if !ok {
		return GateConfig{}, ErrGateNotFound
	}
	return g, nil
}

func (m *MemoryStore) MarkBoarded(ctx context.Context, flight string, pass PassID, departure, at time.Time) error {
	return m.MarkBoardedBy(ctx, flight, pass, departure, at, AttemptID{})
}

// MarkBoardedBy is MarkBoarded that also answers nil to the request (req) that boarded.
func (m *MemoryStore) MarkBoardedBy(_ context.Context, flight string, pass PassID, departure, _ time.Time, req AttemptID) error {
	k := boardKey{flight, pass}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.boarded[k]; ok {
		if by, named := m.by[k]; named && req != (AttemptID{}) && by == req {
			return nil
		}
		return ErrAlreadyBoarded
	}
	m.boarded[k] = departure
	if req != (AttemptID{}) {
		m.by[k] = req
	}
	return nil
}

func (m *MemoryStore) Enrol(_ context.Context, e Enrolment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.enrolLocked(e)
	return nil
}

func (m *MemoryStore) enrolLocked(e Enrolment) {
	f := m.enrol[e.Flight]
	if f == nil {
		f = map[PassID]Enrolment{}
		m.enrol[e.Flight] = f
	}
	f[e.Pass] = e
}

func (m *MemoryStore) Enrolments(_ context.Context, flight string) ([]Enrolment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Enrolment, 0, len(m.enrol[flight]))
	for _, e := range m.enrol[flight] {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pass < out[j].Pass })
	return out, nil
}

func (m *MemoryStore) Purge(_ context.Context, cutoff time.Time) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	purged := map[string]bool{}
	for flight, f := range m.enrol {
		for id, e := range f {
			if e.Departure.Before(cutoff) {
				delete(f, id)
				purged[flight] = true
			}
		}
		if len(f) == 0 {
			delete(m.enrol, flight)
		}
	}
	// Boarding records go by their flight's latest departure: a delay announced mid-boarding
	// must not free the early boardings' passes while the flight is still at the gate.
	latest := map[string]time.Time{}
	for k, dep := range m.boarded {
		if dep.After(latest[k.flight]) {
			latest[k.flight] = dep
		}
	}
	for k := range m.boarded {
		if latest[k.flight].Before(cutoff) {
			delete(m.boarded, k)
			delete(m.by, k)
			purged[k.flight] = true
		}
	}
	out := make([]string, 0, len(purged))
	for f := range purged {
		out = append(out, f)
	}
	sort.Strings(out)
	return out, nil
}

func (m *MemoryStore) Ping(context.Context) error { return nil }

// EnrolBatch adds or replaces every enrolment under one lock: all or nothing, since nothing
// in it can fail.
func (m *MemoryStore) EnrolBatch(_ context.Context, es []Enrolment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range es {
		m.enrolLocked(e)
	}
	return nil
}

var (
	_ Store      = (*MemoryStore)(nil)
	_ NonceStore = (*MemoryStore)(nil)
)

// maxMemoryNonces bounds a MemoryStore's nonces.
const maxMemoryNonces = 1 << 16

// PutNonce records a nonce (NonceStore: one process's "shared" store, for tests and for
// instances sharing a MemoryStore in one process).
func (m *MemoryStore) PutNonce(_ context.Context, scope, nonce string, exp time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.nonces) >= maxMemoryNonces { // nonces live minutes: those expiring an hour before this one are long dead
		for k, e := range m.nonces {
			if e.Before(exp.Add(-time.Hour)) {
				delete(m.nonces, k)
			}
		}
		if len(m.nonces) >= maxMemoryNonces {
			return ErrOverloaded
		}
	}
	m.nonces[nonceKey{scope, nonce}] = exp
	return nil
}

// TakeNonce consumes a nonce: ok only the first time, before it expires.
func (m *MemoryStore) TakeNonce(_ context.Context, scope, nonce string, now time.Time) (time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := nonceKey{scope, nonce}
	exp, ok := m.nonces[k]
	delete(m.nonces, k)
	return exp, ok && now.Before(exp), nil
}

// PurgeNonces deletes the nonces that expired before now.
func (m *MemoryStore) PurgeNonces(_ context.Context, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, exp := range m.nonces {
		if exp.Before(now) {
			delete(m.nonces, k)
		}
	}
	return nil
}

// EnrolmentsSince lists flight's enrolments with EnrolledAt at or after since, by pass.
func (m *MemoryStore) EnrolmentsSince(_ context.Context, flight string, since time.Time) ([]Enrolment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Enrolment
	for _, e := range m.enrol[flight] {
		if !e.EnrolledAt.Before(since) {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pass < out[j].Pass })
	return out, nil
}
