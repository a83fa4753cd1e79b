package verifier

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/idgate/idgate/internal/ratelimit"
	"github.com/idgate/idgate/verifier/vpstore"
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
	// ErrNetworkRequestLimit refuses a client whose network (ratelimit.NetworkOf) already holds
	// its share of open requests.
	ErrNetworkRequestLimit = errors.New("verifier: this client's network has too many open presentation requests")
)

// RequestStore keeps outstanding presentation requests; Take hands a request out exactly once.
// Put records which client opened the request, so that one client cannot fill the store.
type RequestStore interface {
	Put(r PresentationRequest, client string) error
	Take(id string, now time.Time) (PresentationRequest, error)
}

// DefaultOpenPerClient is NewMemoryRequests' bound on one client's open requests: a relying
// party's counter has a handful of customers mid-presentation at once.
const DefaultOpenPerClient = 100

// NetworkShare is how many clients' worth of open requests one network (an IPv4 /24, an
// IPv6 /48: ratelimit.NetworkOf) may hold: with the defaults a store of 100 000 takes 100
// networks to fill, not a thousand addresses of one operator, and a relying party from
// another network keeps being served meanwhile.
const NetworkShare = vpstore.NetworkShare

// memoryRequests is the embedded RequestStore. Requests live minutes; a used id is remembered
// until its expiry so that a replay is reported as such, not as unknown. Each client's ids are
// listed in creation order; its open requests (neither used nor expired) are at most
// perClient, and those of all clients of one network at most perNet. A full store refuses
// new requests (ErrTooManyRequests) rather than evicting open ones.
type memoryRequests struct {
	mu        sync.Mutex
	max       int
	perClient int
	perNet    int
	now       func() time.Time
	reqs      map[string]*entry
	clients   map[string][]string // client -> ids it opened that are still stored
	// nets counts, per network, the ids listed in its clients' lists (open or not yet pruned).
	nets map[string]*netShare
}

type netShare struct {
	listed  int
	clients map[string]struct{}
	// full: counted at its share, and none of its requests answered since; until fullUntil
	// (the earliest expiry among them) a refusal needs no recount, so a flood's refused
	// requests cost a lookup, not a count of the network's share.
	full      bool
	fullUntil time.Time
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

// NewMemoryRequestsPerClient is NewMemoryRequests with perClient open requests per client
// (and NetworkShare times that per network).
func NewMemoryRequestsPerClient(total, perClient int) RequestStore {
	perClient = max(1, perClient)
	return &memoryRequests{max: total, perClient: perClient, perNet: perClient * NetworkShare, now: time.Now,
		reqs: make(map[string]*entry), clients: make(map[string][]string), nets: make(map[string]*netShare)}
}

func (m *memoryRequests) Put(r PresentationRequest, client string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if len(m.clients[client]) >= m.perClient && m.openOf(client, now) >= m.perClient {
		return ErrClientRequestLimit
	}
	net := ratelimit.NetworkOf(client)
	if n := m.nets[net]; n != nil && n.listed >= m.perNet && m.netFull(net, n, now) {
		return ErrNetworkRequestLimit
	}
	if len(m.reqs) >= m.max {
		m.sweep(now)
		if len(m.reqs) >= m.max {
			return ErrTooManyRequests
		}
	}
	m.reqs[r.ID] = &entry{r: r, client: client}
	m.list(client, net, r.ID)
	return nil
}

// list appends id to client's list and counts it for its network.
func (m *memoryRequests) list(client, net, id string) {
	m.clients[client] = append(m.clients[client], id)
	n := m.nets[net]
	if n == nil {
		n = &netShare{clients: map[string]struct{}{}}
		m.nets[net] = n
	}
	n.listed++
	n.clients[client] = struct{}{}
}

// openOf counts client's open requests, dropping from its list the ids that are no longer
// stored or no longer open (a used id stays stored for replay detection, but not listed).
// Its cost is bounded by perClient plus what it drops.
func (m *memoryRequests) openOf(client string, now time.Time) int {
	before := len(m.clients[client])
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
	if dropped := before - len(ids); dropped > 0 {
		net := ratelimit.NetworkOf(client)
		if n := m.nets[net]; n != nil {
			n.listed -= dropped
			if len(ids) == 0 {
				delete(n.clients, client)
			}
			if len(n.clients) == 0 {
				delete(m.nets, net)
			}
		}
	}
	return len(ids)
}

// netFull reports whether net (whose share n is) holds perNet open requests. A recount
// prunes its clients' lists; its cost is bounded by perNet plus what it drops.
func (m *memoryRequests) netFull(net string, n *netShare, now time.Time) bool {
	if n.full && now.Before(n.fullUntil) {
		return true
	}
	open := 0
	for c := range n.clients {
		open += m.openOf(c, now)
	}
	if open < m.perNet {
		return false
	}
	n.full, n.fullUntil = true, time.Time{}
	for c := range n.clients {
		for _, id := range m.clients[c] {
			if exp := m.reqs[id].r.ExpiresAt; n.fullUntil.IsZero() || exp.Before(n.fullUntil) {
				n.fullUntil = exp
			}
		}
	}
	return true
}

// sweep deletes expired requests and rebuilds the client lists from what is left.
func (m *memoryRequests) sweep(now time.Time) {
	for id, e := range m.reqs {
		if now.After(e.r.ExpiresAt) {
			delete(m.reqs, id)
		}
	}
	clear(m.clients)
	clear(m.nets)
	for id, e := range m.reqs {
		if !e.used {
			m.list(e.client, ratelimit.NetworkOf(e.client), id)
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
	if n := m.nets[ratelimit.NetworkOf(e.client)]; n != nil {
		n.full = false // one of its requests is no longer open
	}
	return e.r, nil
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("verifier: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
