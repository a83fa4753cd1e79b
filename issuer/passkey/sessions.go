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

	"github.com/idgate/idgate/internal/b64url"
	"github.com/idgate/idgate/internal/jsonscan"
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

// sessionAD prefixes the GCM additional data: a sealed session opens only as a passkey
// ceremony session of this format, never as some other value sealed with the same key. The
// relying party's origin follows it, so a token minted by another deployment that shares the
// key does not open here.
const sessionAD = "idgate passkey session v1\x00"

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
	ad   []byte // sessionAD + origin
	used *usedTokens
}

func newSessions(key []byte, maxUsed int, origin string) (*sessions, error) {
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
	return &sessions{aead: aead, ad: []byte(sessionAD + origin), used: newUsedTokens(maxUsed)}, nil
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
	tok := base64.RawURLEncoding.EncodeToString(t.aead.Seal(nonce, nonce, pt, t.ad))
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
	raw, err := b64url.Decode(token)
	if err != nil {
		return session{}, none, fail(CodeInvalidSession, "ceremony session is not base64url", err)
	}
	ns := t.aead.NonceSize()
	if len(raw) < ns+t.aead.Overhead() {
		return session{}, none, fail(CodeInvalidSession, "ceremony session truncated", nil)
	}
	pt, err := t.aead.Open(nil, raw[:ns], raw[ns:], t.ad)
	if err != nil {
		return session{}, none, fail(CodeInvalidSession, "ceremony session not issued here or altered", err)
	}
	var ss sealedSession
	dec := json.NewDecoder(bytes.NewReader(pt))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ss); err != nil || jsonscan.Trailing(dec) != nil {
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
// once: done(true) keeps the token spent until it expires (plus usedGrace), done(false)
// releases it, so the same token may be tried again. A token reserved by a concurrent
// attempt, or kept, is refused as already used.
func (t *sessions) take(token string, kind ceremony, now time.Time) (s session, done func(keep bool), err error) {
	s, key, err := t.open(token, kind, now)
	if err != nil {
		return session{}, nil, err
	}
	e, err := t.used.reserve(key, s.expires, now)
	if err != nil {
		return session{}, nil, err
	}
	var once sync.Once
	return s, func(keep bool) {
		once.Do(func() {
			if keep {
				t.used.keep(e)
			} else {
				t.used.release(key, e)
			}
		})
	}, nil
}

// maxPerPasskey bounds the spent tokens one passkey holds at a time, counting its logins in
// flight. Kept records come only from logins that verified, so without it one enrolled holder
// with a scripted authenticator could fill the whole set (10,000 logins in 5 minutes) and lock
// every other holder out; with it that takes 1,250 registered passkeys. (Registrations need
// no such bound: each consumes an invitation an operator issued.)
const maxPerPasskey = 8

// usedGrace keeps a spent token's record a minute past its expiry, so that a wall clock
// stepped back a little cannot make an expired-and-swept token look live again.
const usedGrace = time.Minute

// usedTokens is the bounded set of reserved and spent session tokens, and each passkey's
// share of it.
type usedTokens struct {
	mu       sync.Mutex
	m        map[[32]byte]*usedEntry
	passkeys map[string]*passkeyShare
	max      int
}

// usedEntry is one token's record: reserved while a finish verifies it, then kept (spent)
// until holdUntil, or deleted on release. Its pointer identifies the reservation, so a
// release never deletes a record another attempt made.
type usedEntry struct {
	holdUntil time.Time
	kept      bool
}

// passkeyShare is one passkey's logins in flight and until when each of its spent tokens is
// held.
type passkeyShare struct {
	inFlight int
	kept     []time.Time
}

func newUsedTokens(max int) *usedTokens {
	return &usedTokens{m: map[[32]byte]*usedEntry{}, passkeys: map[string]*passkeyShare{}, max: max}
}

// reserve records key for one attempt. A live record (reserved, or kept and still held) means
// the token is in use or spent. A full set is first swept of kept records past their hold;
// reservations are never swept (their attempt is still running).
func (u *usedTokens) reserve(key [32]byte, expires, now time.Time) (*usedEntry, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if e, ok := u.m[key]; ok {
		if !e.kept || now.Before(e.holdUntil) {
			return nil, fail(CodeInvalidSession, "ceremony session already used", nil)
		}
		delete(u.m, key)
	}
	if len(u.m) >= u.max {
		for k, e := range u.m {
			if e.kept && !now.Before(e.holdUntil) {
				delete(u.m, k)
			}
		}
		for id := range u.passkeys {
			u.shareLocked(id, now)
		}
		if len(u.m) >= u.max {
			return nil, fail(CodeTooManySessions, "too many recent passkey ceremonies, retry shortly", nil)
		}
	}
	e := &usedEntry{holdUntil: expires.Add(usedGrace)}
	u.m[key] = e
	return e, nil
}

// keep marks a reservation spent.
func (u *usedTokens) keep(e *usedEntry) {
	u.mu.Lock()
	e.kept = true
	u.mu.Unlock()
}

// release drops key's record if it is still the reservation e.
func (u *usedTokens) release(key [32]byte, e *usedEntry) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m[key] == e {
		delete(u.m, key)
	}
}

// claim counts one login of passkey in flight, unless its spent tokens and logins in flight
// already reach maxPerPasskey; check and count are one step, so concurrent logins cannot all
// pass the check. Every true claim must be settled exactly once.
func (u *usedTokens) claim(passkey string, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	sh := u.shareLocked(passkey, now)
	if sh == nil {
		sh = &passkeyShare{}
		u.passkeys[passkey] = sh
	}
	if sh.inFlight+len(sh.kept) >= maxPerPasskey {
		return false
	}
	sh.inFlight++
	return true
}

// settle ends a claimed login: spent, its token counts against the passkey until holdUntil.
func (u *usedTokens) settle(passkey string, spent bool, holdUntil, now time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	sh := u.passkeys[passkey]
	if sh == nil { // cannot happen for a claimed login: the share is only dropped when idle
		return
	}
	sh.inFlight--
	if spent {
		sh.kept = append(sh.kept, holdUntil)
	}
	u.shareLocked(passkey, now)
}

// shareLocked drops passkey's spent tokens past their hold and returns its share, deleting
// (and returning nil for) a share with nothing kept or in flight.
func (u *usedTokens) shareLocked(passkey string, now time.Time) *passkeyShare {
	sh := u.passkeys[passkey]
	if sh == nil {
		return nil
	}
	live := sh.kept[:0]
	for _, until := range sh.kept {
		if now.Before(until) {
			live = append(live, until)
		}
	}
	sh.kept = live
	if len(live) == 0 && sh.inFlight == 0 {
		delete(u.passkeys, passkey)
		return nil
	}
	return sh
}

func (u *usedTokens) len() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.m)
}
