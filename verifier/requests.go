package verifier

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"
)

// Request is a relying party's presentation request.
type Request struct {
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
)

// RequestStore keeps outstanding presentation requests; Take hands a request out exactly once.
type RequestStore interface {
	Put(r Request) error
	Take(id string, now time.Time) (Request, error)
}

// memoryRequests is the embedded RequestStore. Requests live minutes; a used id is remembered
// until its expiry so that a replay is reported as such, not as unknown.
type memoryRequests struct {
	mu   sync.Mutex
	max  int
	reqs map[string]*entry
}

type entry struct {
	r    Request
	used bool
}

// NewMemoryRequests returns an in-memory RequestStore holding at most max requests.
func NewMemoryRequests(max int) RequestStore {
	return &memoryRequests{max: max, reqs: make(map[string]*entry)}
}

func (m *memoryRequests) Put(r Request) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.reqs) >= m.max {
		now := time.Now()
		for id, e := range m.reqs {
			if now.After(e.r.ExpiresAt) {
				delete(m.reqs, id)
			}
		}
		if len(m.reqs) >= m.max {
			return ErrTooManyRequests
		}
	}
	m.reqs[r.ID] = &entry{r: r}
	return nil
}

func (m *memoryRequests) Take(id string, now time.Time) (Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.reqs[id]
	switch {
	case !ok:
		return Request{}, ErrRequestNotFound
	case e.used:
		return Request{}, ErrRequestUsed
	case !now.Before(e.r.ExpiresAt):
		delete(m.reqs, id)
		return Request{}, ErrRequestExpired
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
