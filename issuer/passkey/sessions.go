package passkey

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

type ceremony int

const (
	ceremonyRegister ceremony = iota + 1
	ceremonyLogin
)

// SessionKeySize is the length of Config.SessionKey (AES-256).
const SessionKeySize = 32

// MaxSessionTokenBytes bounds a ceremony session token as the client sends it back. Tokens
// we mint are a few hundred characters; anything longer is refused before decoding.
const MaxSessionTokenBytes = 4 << 10

// sessionAD is the GCM additional data: a sealed session opens only as a passkey ceremony
// session of this format, never as some other value sealed with the same key.
var sessionAD = []byte("idgate passkey session v1")

// session is the server state of one ceremony; the client carries it sealed.
type session struct {
	kind       ceremony
	data       webauthn.SessionData
	inviteHash []byte // registration only
	holderID   string // registration only
	expires    time.Time
}

// sealedSession is the serialized form of a session inside the token.
type sealedSession struct {
	Kind       ceremony             `json:"k"`
	Data       webauthn.SessionData `json:"d"`
	InviteHash []byte               `json:"i,omitempty"`
	HolderID   string               `json:"h,omitempty"`
	Expires    int64                `json:"e"` // Unix nanoseconds
}

// sessions seals ceremony state into tokens the client carries, so a begin call costs the
// server no memory, and enforces single use of the tokens at finish.
type sessions struct {
	aead cipher.AEAD
	used *usedTokens
}

func newSessions(key []byte, maxUsed int) (*sessions, error) {
	if key == nil {
		key = make([]byte, SessionKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("passkey: session key: %w", err)
		}
	} else if len(key) != SessionKeySize {
		return nil, fmt.Errorf("passkey: SessionKey must be %d bytes, got %d", SessionKeySize, len(key))
	}
	block, err := aes.NewCipher(key) // copies the key schedule: the caller's slice is not kept
	if err != nil {
		return nil, fmt.Errorf("passkey: session key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("passkey: session key: %w", err)
	}
	return &sessions{aead: aead, used: newUsedTokens(maxUsed)}, nil
}

// seal returns base64url(nonce || AES-256-GCM(key, nonce, json(s), sessionAD)).
func (t *sessions) seal(s session) (string, error) {
	pt, err := json.Marshal(sealedSession{
		Kind: s.kind, Data: s.data, InviteHash: s.inviteHash, HolderID: s.holderID, Expires: s.expires.UnixNano(),
	})
	if err != nil {
		return "", fmt.Errorf("passkey: serialize session: %w", err)
	}
	nonce := make([]byte, t.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("passkey: session nonce: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(t.aead.Seal(nonce, nonce, pt, sessionAD))
	if len(tok) > MaxSessionTokenBytes { // never hand out a token that finish would refuse
		return "", fail(CodeUnavailable, "ceremony session too large to seal", nil)
	}
	return tok, nil
}

// open authenticates and decodes token and checks its kind and expiry. It also returns the
// token's single-use key: SHA-256 of the decoded bytes, so that two spellings of one token
// cannot both be used.
func (t *sessions) open(token string, kind ceremony, now time.Time) (session, [32]byte, error) {
	var none [32]byte
	if token == "" || len(token) > MaxSessionTokenBytes {
		return session{}, none, fail(CodeInvalidSession, "ceremony session missing or too long", nil)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil {
		return session{}, none, fail(CodeInvalidSession, "ceremony session is not base64url", err)
	}
	ns := t.aead.NonceSize()
	if len(raw) < ns+t.aead.Overhead() {
		return session{}, none, fail(CodeInvalidSession, "ceremony session truncated", nil)
	}
	pt, err := t.aead.Open(nil, raw[:ns], raw[ns:], sessionAD)
	if err != nil {
		return session{}, none, fail(CodeInvalidSession, "ceremony session not issued here or altered", err)
	}
	var ss sealedSession
	dec := json.NewDecoder(bytes.NewReader(pt))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ss); err != nil || dec.More() {
		// Authentic but unreadable: a token from an incompatible version sharing the key.
		return session{}, none, fail(CodeInvalidSession, "ceremony session unreadable", err)
	}
	s := session{kind: ss.Kind, data: ss.Data, inviteHash: ss.InviteHash, holderID: ss.HolderID, expires: time.Unix(0, ss.Expires)}
	switch {
	case s.kind != kind:
		return session{}, none, fail(CodeInvalidSession, "ceremony session of the wrong kind", nil)
	case !now.Before(s.expires):
		return session{}, none, fail(CodeInvalidSession, "ceremony session expired", nil)
	}
	return s, sha256.Sum256(raw), nil
}

// take opens token and reserves it for one finish attempt. The caller must call done exactly
// once: done(true) keeps the token spent until it expires, done(false) releases it so the
// same token may be tried again. A token reserved by a concurrent attempt, or kept, is
// refused as already used.
func (t *sessions) take(token string, kind ceremony, now time.Time) (s session, done func(keep bool), err error) {
	s, key, err := t.open(token, kind, now)
	if err != nil {
		return session{}, nil, err
	}
	if err := t.used.reserve(key, s.expires, now); err != nil {
		return session{}, nil, err
	}
	var once sync.Once
	return s, func(keep bool) {
		once.Do(func() {
			if !keep {
				t.used.release(key)
			}
		})
	}, nil
}

// usedTokens is the bounded set of reserved and spent session tokens, each held until its
// token expires (after that the token is refused as expired anyway).
type usedTokens struct {
	mu  sync.Mutex
	m   map[[32]byte]time.Time
	max int
}

func newUsedTokens(max int) *usedTokens {
	return &usedTokens{m: map[[32]byte]time.Time{}, max: max}
}

// reserve records key until expires; a full set is first swept of expired entries.
func (u *usedTokens) reserve(key [32]byte, expires, now time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if exp, ok := u.m[key]; ok && now.Before(exp) {
		return fail(CodeInvalidSession, "ceremony session already used", nil)
	}
	if len(u.m) >= u.max {
		for k, exp := range u.m {
			if !now.Before(exp) {
				delete(u.m, k)
			}
		}
		if len(u.m) >= u.max {
			return fail(CodeTooManySessions, "too many ceremonies in flight, retry shortly", nil)
		}
	}
	u.m[key] = expires
	return nil
}

func (u *usedTokens) release(key [32]byte) {
	u.mu.Lock()
	delete(u.m, key)
	u.mu.Unlock()
}

func (u *usedTokens) len() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.m)
}
