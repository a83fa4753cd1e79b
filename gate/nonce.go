package gate

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// nonces is the bounded, single-use nonce store. A nonce is bound to one scope (a gate, or a
// flight's check-in) and handed out once by take; expired ones are swept when the store is full.
type nonces struct {
	mu  sync.Mutex
	max int
	m   map[nonceKey]time.Time // → expiry
}

type nonceKey struct{ scope, nonce string }

func newNonces(max int) *nonces { return &nonces{max: max, m: make(map[nonceKey]time.Time)} }

// randomNonce is 192 random bits, base64url.
func randomNonce() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", &Error{Code: ReasonInternal, Msg: "random source failed", Err: err}
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// nonceShaped reports whether n has the shape randomNonce gives: 32 base64url characters.
func nonceShaped(n string) bool {
	if len(n) != 32 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// issue creates a nonce for scope valid until exp.
func (n *nonces) issue(scope string, now, exp time.Time) (string, error) {
	v, err := randomNonce()
	if err != nil {
		return "", err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.m) >= n.max {
		for k, e := range n.m {
			if !now.Before(e) {
				delete(n.m, k)
			}
		}
		if len(n.m) >= n.max {
			return "", ErrOverloaded
		}
	}
	n.m[nonceKey{scope, v}] = exp
	return v, nil
}

// take consumes a nonce: ok only the first time, for its scope, before it expires (exp).
func (n *nonces) take(scope, nonce string, now time.Time) (exp time.Time, ok bool) {
	if nonce == "" {
		return time.Time{}, false
	}
	k := nonceKey{scope, nonce}
	n.mu.Lock()
	defer n.mu.Unlock()
	exp, ok = n.m[k]
	if !ok {
		return time.Time{}, false
	}
	delete(n.m, k)
	return exp, now.Before(exp)
}

// restore puts a taken nonce back with its expiry. When the store has filled up since, expired
// nonces are swept first, as in issue; if it is still full the nonce stays spent.
func (n *nonces) restore(scope, nonce string, exp, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.m) >= n.max {
		for k, e := range n.m {
			if !now.Before(e) {
				delete(n.m, k)
			}
		}
		if len(n.m) >= n.max {
			return false
		}
	}
	n.m[nonceKey{scope, nonce}] = exp
	return true
}
