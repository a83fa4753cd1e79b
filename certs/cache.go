package certs

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"sync"
	"time"
)

// defaultCacheSize bounds the verification cache; a gate sees a handful of issuer chains, so
// this is generous while keeping memory bounded against a flood of distinct chains.
const defaultCacheSize = 1024

type validity struct{ notBefore, notAfter time.Time }

type cacheEntry struct {
	leaf *x509.Certificate
	w    validity
}

// verifyCache remembers successful chain verifications. The trust list is immutable, so a chain
// that verified once verifies again at any time inside the chain's validity window; only that
// window is re-checked on a hit.
type verifyCache struct {
	mu  sync.RWMutex
	max int
	m   map[[32]byte]cacheEntry
}

func newVerifyCache(max int) *verifyCache {
	return &verifyCache{max: max, m: make(map[[32]byte]cacheEntry)}
}

// cacheKey hashes purpose, scope and each DER, length-prefixed so that no two different inputs
// share an encoding.
func cacheKey(p Purpose, scope string, ders [][]byte) [32]byte {
	h := sha256.New()
	var n [8]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	put([]byte(p))
	put([]byte(scope))
	for _, d := range ders {
		put(d)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *verifyCache) get(k [32]byte, at time.Time) (*x509.Certificate, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || at.Before(e.w.notBefore) || at.After(e.w.notAfter) {
		return nil, false
	}
	return e.leaf, true
}

func (c *verifyCache) put(k [32]byte, leaf *x509.Certificate, w validity) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		// Evict an arbitrary entry (map order); the next miss re-verifies, which is only slower.
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = cacheEntry{leaf: leaf, w: w}
}
