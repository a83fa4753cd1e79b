package es256

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"sync"
	"sync/atomic"
	"time"
)

// Cache holds precomputed keys for a bounded set of trusted public keys. Warm schedules a
// key's table build in the background; Get returns the key only once it is built, so no
// caller waits for a build and verifiers use crypto/ecdsa meanwhile. Safe for concurrent use.
type Cache struct {
	max int
	mu  sync.Mutex
	m   map[string]*slot
	// build runs a table build; tests replace it to build synchronously.
	build func(func())
	// builds admits one table build at a time: a burst of newly trusted keys costs one core.
	builds chan struct{}
}

type slot struct {
	mu       sync.RWMutex
	key      *Key // nil until built
	lastUsed atomic.Int64
}

// NewCache returns a cache of at most max keys (each ~400 KB). When full, Warm of a new key
// drops the least recently used one, which falls back to crypto/ecdsa until warmed again.
func NewCache(max int) *Cache {
	return &Cache{max: max, m: map[string]*slot{}, build: func(f func()) { go f() }, builds: make(chan struct{}, 1)}
}

// Warm schedules a build for pub if it is a P-256 ECDSA key not already cached. Only call it
// with keys that a trust decision has accepted.
func (c *Cache) Warm(pub crypto.PublicKey) {
	ek, id, ok := keyID(pub)
	if !ok || c == nil || c.max <= 0 {
		return
	}
	c.mu.Lock()
	if _, done := c.m[id]; done {
		c.mu.Unlock()
		return
	}
	if len(c.m) >= c.max {
		oldest, when := "", int64(0)
		for id, s := range c.m {
			if t := s.lastUsed.Load(); oldest == "" || t < when {
				oldest, when = id, t
			}
		}
		delete(c.m, oldest)
	}
	s := &slot{}
	s.lastUsed.Store(time.Now().UnixNano())
	c.m[id] = s
	c.mu.Unlock()
	c.build(func() {
		c.builds <- struct{}{}
		defer func() { <-c.builds }()
		c.mu.Lock()
		current := c.m[id] == s
		c.mu.Unlock()
		if !current { // evicted while it waited: no build for a key nobody keeps
			return
		}
		k, err := Precompute(ek)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.key = k
		s.mu.Unlock()
	})
}

// Get returns the precomputed key for pub, or nil when none is built (yet).
func (c *Cache) Get(pub crypto.PublicKey) *Key {
	_, id, ok := keyID(pub)
	if !ok || c == nil {
		return nil
	}
	c.mu.Lock()
	s := c.m[id]
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	s.lastUsed.Store(time.Now().UnixNano())
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.key
}

// keyID is the uncompressed point of a P-256 ECDSA key: equal keys share a slot however many
// times their certificate was parsed.
func keyID(pub crypto.PublicKey) (*ecdsa.PublicKey, string, bool) {
	ek, ok := pub.(*ecdsa.PublicKey)
	if !ok || ek == nil || ek.Curve != elliptic.P256() {
		return nil, "", false
	}
	b, err := ek.Bytes()
	if err != nil {
		return nil, "", false
	}
	return ek, string(b), true
}
