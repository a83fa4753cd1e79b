package verifier

import (
	"crypto/sha256"
	"encoding/json"
	"sync"

	"github.com/idgate/idgate/oid4vp"
)

// maxCachedQueries bounds the parsed DCQL queries kept; past it the cache starts over.
const maxCachedQueries = 256

// queryCache keeps parsed DCQL queries by the SHA-256 of their stored JSON: a relying party
// asks a handful of distinct queries, and each response to a transaction would otherwise
// re-parse its query. A cached *oid4vp.Query is shared and only read.
type queryCache struct {
	mu sync.Mutex
	m  map[[32]byte]*oid4vp.Query
}

// query parses the stored query raw, or returns the parse of identical bytes.
func (c *queryCache) query(raw json.RawMessage) (*oid4vp.Query, error) {
	h := sha256.Sum256(raw)
	c.mu.Lock()
	q := c.m[h]
	c.mu.Unlock()
	if q != nil {
		return q, nil
	}
	q, err := oid4vp.ParseQuery(raw)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedQueries {
		c.m = make(map[[32]byte]*oid4vp.Query)
	}
	c.m[h] = q
	c.mu.Unlock()
	return q, nil
}
