package issuer

import (
	"sync"
	"time"
)

// nonceStore keeps the c_nonces handed out by the nonce endpoint until they are used or
// expire. Nonces are short-lived, so losing them on restart only costs a wallet one retry.
type nonceStore struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]time.Time
}

const maxOutstandingNonces = 100_000

func newNonceStore(ttl time.Duration) *nonceStore {
	return &nonceStore{ttl: ttl, m: make(map[string]time.Time)}
}

func (n *nonceStore) issue(now time.Time) string {
	v := randomToken(16)
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.m) >= maxOutstandingNonces {
		n.sweep(now)
	}
	if len(n.m) >= maxOutstandingNonces {
		for k := range n.m { // still full: drop an arbitrary one rather than grow without bound
			delete(n.m, k)
			break
		}
	}
	n.m[v] = now.Add(n.ttl)
	return v
}

// consume reports whether v was an outstanding, unexpired nonce, and removes it.
func (n *nonceStore) consume(v string, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	exp, ok := n.m[v]
	if ok {
		delete(n.m, v)
	}
	return ok && now.Before(exp)
}

func (n *nonceStore) sweep(now time.Time) {
	for k, exp := range n.m {
		if !now.Before(exp) {
			delete(n.m, k)
		}
	}
}
