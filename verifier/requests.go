package verifier

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"
)

// PresentationRequest is a relying party's presentation request.
type PresentationRequest struct {
	ID        string    `json:"id"`
	Nonce     string    `json:"nonce"`
	Audience  string    `json:"audience"`
	ExpiresAt time.Time `json:"expires_at"`
	VCT       string    `json:"vct,omitempty"`
	Claims    []string  `json:"claims"`
}

// Request store errors.
var (
	ErrRequestNotFound = errors.New("verifier: unknown presentation request")
	ErrRequestUsed     = errors.New("verifier: presentation request already used")
	ErrRequestExpired  = errors.New("verifier: presentation request expired")
	ErrTooManyRequests = errors.New("verifier: too many outstanding presentation requests")
	// ErrClientRequestLimit refuses a client that already holds its share of open requests.
	ErrClientRequestLimit = errors.New("verifier: this client has too many open presentation requests")
)

// RequestStore keeps outstanding presentation requests; Take hands a request out exactly once.
// Put records which client opened the request, so that one client cannot fill the store.
type RequestStore interface {
	Put(r PresentationRequest, client string) error
	Take(id string, now time.Time) (PresentationRequest, error)
}

// DefaultOpenPerClient is NewMemoryRequests' bound on one client's open requests: a relying
// party's counter has a handful of customers mid-presentation at once, and a store of 100 000
// then takes a thousand client addresses to fill.
const DefaultOpenPerClient = 100

// memoryRequests is the embedded RequestStore. Requests live minutes; a used id is remembered
// until its expiry so that a replay is reported as such, not as unknown. Each client's ids are
// listed in creation order; its open requests (neither used nor expired) are at most perClient.
type memoryRequests struct {
	mu        sync.Mutex
	max       int
	perClient int
	now       func() time.Time
	reqs      map[string]*entry
	clients   map[string][]string // client -> ids it opened that are still stored
}

type entry struct {
	r      PresentationRequest
	client string
	used   bool
}

// NewMemoryRequests returns an in-memory RequestStore holding at most max requests (expired
// ones are swept when it is full), at most
// DefaultOpenPerClient of them open for one client.
func NewMemoryRequests(max int) RequestStore {
	return NewMemoryRequestsPerClient(max, DefaultOpenPerClient)
}

// NewMemoryRequestsPerClient is NewMemoryRequests with perClient open requests per client.
func NewMemoryRequestsPerClient(total, perClient int) RequestStore {
	return &memoryRequests{max: total, perClient: max(1, perClient), now: time.Now,
		reqs: make(map[string]*entry), clients: make(map[string][]string)}
}

func (m *memoryRequests) Put(r PresentationRequest, client string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if len(m.clients[client]) >= m.perClient && m.openOf(client, now) >= m.perClient {
		return ErrClientRequestLimit
	}
	if len(m.reqs) >= m.max {
		m.sweep(now)
		if len(m.reqs) >= m.max {
			return ErrTooManyRequests
		}
	}
	m.reqs[r.ID] = &entry{r: r, client: client}
	m.clients[client] = append(m.clients[client], r.ID)
	return nil
}

// openOf counts client's open requests, dropping from its list the ids that are no longer
// stored or no longer open (a used id stays stored for replay detection, but not listed).
// Its cost is bounded by perClient plus what it drops.
func (m *memoryRequests) openOf(client string, now time.Time) int {
	ids := m.clients[client][:0]
	for _, id := range m.clients[client] {
		if e, ok := m.reqs[id]; ok && !e.used && now.Before(e.r.ExpiresAt) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		delete(m.clients, client)
	} else {
		m.clients[client] = ids
	}
	return len(ids)
}

// sweep deletes expired requests and rebuilds the client lists from what is left.
func (m *memoryRequests) sweep(now time.Time) {
	for id, e := range m.reqs {
		if now.After(e.r.ExpiresAt) {
			delete(m.reqs, id)
		}
	}
	clear(m.clients)
	for id, e := range m.reqs {
		if !e.used {
			m.clients[e.client] = append(m.clients[e.client], id)
		}
	}
}

func (m *memoryRequests) Take(id string, now time.Time) (PresentationRequest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.reqs[id]
	switch {
	case !ok:
		return PresentationRequest{}, ErrRequestNotFound
	case e.used:
		return PresentationRequest{}, ErrRequestUsed
	case !now.Before(e.r.ExpiresAt):
		return PresentationRequest{}, ErrRequestExpired // deleted by the next sweep, with its client's list
	}
	e.used = true
	return e.r, nil
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("verifier: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
