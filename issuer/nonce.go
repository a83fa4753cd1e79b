package issuer

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync"
	"time"

	"github.com/idgate/idgate/internal/b64url"
)

// nonceStore hands out the c_nonces of the nonce endpoint without keeping state for them: a
// nonce is its expiry, 16 random bytes and an HMAC over both under a per-process key. Only
// nonces that were used are remembered (until they expire), so an anonymous caller hammering
// the nonce endpoint costs an HMAC, not memory, and cannot evict anybody's nonce. Using one
// needs a valid access token and a signed proof, which bounds the used set. A restart makes
// outstanding nonces invalid; wallets then take a fresh one (invalid_nonce carries it).
type nonceStore struct {
	ttl  time.Duration
	key  [32]byte
	mu   sync.Mutex
	used map[string]time.Time // nonce → its expiry
}

const nonceRawLen = 8 + 16 + 16 // expiry, random, truncated HMAC

func newNonceStore(ttl time.Duration) *nonceStore {
	n := &nonceStore{ttl: ttl, used: make(map[string]time.Time)}
	if _, err := rand.Read(n.key[:]); err != nil {
		panic("issuer: crypto/rand failed: " + err.Error())
	}
	return n
}

func (n *nonceStore) mac(b []byte) []byte {
	m := hmac.New(sha256.New, n.key[:])
	m.Write(b[:24])
	return m.Sum(nil)[:16]
}

func (n *nonceStore) issue(now time.Time) string {
	var b [nonceRawLen]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.Add(n.ttl).Unix()))
	if _, err := rand.Read(b[8:24]); err != nil {
		panic("issuer: crypto/rand failed: " + err.Error())
	}
	copy(b[24:], n.mac(b[:]))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// consume reports whether v is a nonce this store issued, unexpired and not used before, and
// marks it used.
func (n *nonceStore) consume(v string, now time.Time) bool {
	b, err := b64url.Decode(v)
	if err != nil || len(b) != nonceRawLen || !hmac.Equal(b[24:], n.mac(b)) {
		return false
	}
	exp := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	if !now.Before(exp) {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, seen := n.used[v]; seen {
		return false
	}
	if len(n.used) >= 1024 {
		for k, e := range n.used { // drop the expired; they can no longer be replayed anyway
			if !now.Before(e) {
				delete(n.used, k)
			}
		}
	}
	n.used[v] = exp
	return true
}
