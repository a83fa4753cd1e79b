package gate

import (
	"crypto"
	"crypto/x509"
	"sync"
	"time"

	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/es256"
)

// cachedKeys memoises Keys.Certificates. certs.TrustList re-verifies every pinned airline
// certificate's chain (an extra ECDSA verification) on each call; a trust list is immutable,
// so the answer only changes with time. Entries live ttl and are only used when at lies inside
// the validity of every certificate returned (boardingpass.Verify re-checks each one anyway).
type cachedKeys struct {
	keys boardingpass.Keys
	ttl  time.Duration
	mu   sync.RWMutex
	m    map[keysKey]keysEntry
}

type keysKey struct {
	p     certs.Purpose
	scope string
}

type keysEntry struct {
	certs      []*x509.Certificate
	at         time.Time // when computed
	from, till time.Time // the window in which the answer stays right
}

// maxCachedScopes bounds the cache (airline designators seen; unknown ones are cached too).
const maxCachedScopes = 4096

func newCachedKeys(k boardingpass.Keys, ttl time.Duration) *cachedKeys {
	return &cachedKeys{keys: k, ttl: ttl, m: map[keysKey]keysEntry{}}
}

func (c *cachedKeys) Certificates(p certs.Purpose, scope string, at time.Time) []*x509.Certificate {
	k := keysKey{p, scope}
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if ok && !at.Before(e.from) && !at.After(e.till) && at.Sub(e.at) < c.ttl && e.at.Sub(at) < c.ttl {
		return e.certs
	}
	out := c.keys.Certificates(p, scope, at)
	e = keysEntry{certs: out, at: at, from: at.Add(-c.ttl), till: at.Add(c.ttl)}
	for _, cert := range out {
		if cert.NotBefore.After(e.from) {
			e.from = cert.NotBefore
		}
		if cert.NotAfter.Before(e.till) {
			e.till = cert.NotAfter
		}
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedScopes {
		clear(c.m)
	}
	c.m[k] = e
	c.mu.Unlock()
	return out
}

// ES256Key forwards to the wrapped Keys' precomputed verifiers (certs.TrustList has them), so
// boardingpass.Verify keeps its fast path through this cache.
func (c *cachedKeys) ES256Key(pub crypto.PublicKey) *es256.Key {
	if f, ok := c.keys.(interface {
		ES256Key(crypto.PublicKey) *es256.Key
	}); ok {
		return f.ES256Key(pub)
	}
	return nil
}
