package vpstore

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Memory is the in-process Store: one verifier instance, transactions lost on restart. It
// holds at most MaxMemory transactions (ErrFull beyond, until DeleteExpired frees some): a
// full store refuses new transactions rather than dropping open ones.
type Memory struct {
	mu       sync.Mutex
	txs      map[string]*Transaction
	clients  map[string]map[string]struct{} // client -> ids it created that are stored
	networks map[string]map[string]struct{} // network -> its clients with stored ids
	max      int
	now      func() time.Time
}

// MaxMemory bounds a Memory store's transactions (a few KB each).
const MaxMemory = 100_000

// NewMemory returns an empty in-memory store; now (default time.Now) decides which
// transactions are open.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{txs: map[string]*Transaction{}, clients: map[string]map[string]struct{}{},
		networks: map[string]map[string]struct{}{}, max: MaxMemory, now: now}
}

// openOf counts the open transactions of client; m.mu is held.
func (m *Memory) openOf(client string, now time.Time) int {
	open := 0
	for id := range m.clients[client] {
		if m.txs[id].Open(now) {
			open++
		}
	}
	return open
}

func clone(t *Transaction) Transaction {
	c := *t
	c.Data = slices.Clone(t.Data)
	return c
}

func (m *Memory) Create(_ context.Context, t Transaction, perClient int) error {
	t.Status = StatusPending
	if err := t.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.txs[t.ID]; ok {
		return ErrExists
	}
	now := m.now()
	if m.openOf(t.Client, now) >= perClient {
		return ErrClientLimit
	}
	net, open := Network(t.Client), 0
	for c := range m.networks[net] {
		open += m.openOf(c, now)
	}
	if open >= perClient*NetworkShare {
		return ErrNetworkLimit
	}
	if len(m.txs) >= m.max {
		return ErrFull
	}
	c := clone(&t)
	m.txs[t.ID] = &c
	if m.clients[t.Client] == nil {
		m.clients[t.Client] = map[string]struct{}{}
	}
	m.clients[t.Client][t.ID] = struct{}{}
	if m.networks[net] == nil {
		m.networks[net] = map[string]struct{}{}
	}
	m.networks[net][t.Client] = struct{}{}
	return nil
}

func (m *Memory) Get(_ context.Context, id string) (Transaction, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.txs[id]
	if !ok {
		return Transaction{}, ErrNotFound
	}
	return clone(t), nil
}

func (m *Memory) Update(_ context.Context, id string, fn func(*Transaction) error) (Transaction, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.txs[id]
	if !ok {
		return Transaction{}, ErrNotFound
	}
	c := clone(t)
	if err := fn(&c); err != nil {
		return Transaction{}, err
	}
	if err := CheckUpdate(t, &c); err != nil {
		return Transaction{}, err
	}
	stored := clone(&c)
	m.txs[id] = &stored
	return c, nil
}

func (m *Memory) DeleteExpired(_ context.Context, before time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, t := range m.txs {
		if t.ExpiresAt.Before(before) {
			delete(m.txs, id)
			if ids := m.clients[t.Client]; ids != nil {
				delete(ids, id)
				if len(ids) == 0 {
					delete(m.clients, t.Client)
					net := Network(t.Client)
					delete(m.networks[net], t.Client)
					if len(m.networks[net]) == 0 {
						delete(m.networks, net)
					}
				}
			}
			n++
		}
	}
	return n, nil
}

func (m *Memory) Close() error { return nil }
