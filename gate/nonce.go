package gate

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
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

// Nonce is what a gate terminal (or check-in desk) shows the wallet.
type Nonce struct {
	Nonce     string    `json:"nonce"`
	Audience  string    `json:"audience"`
	ExpiresAt time.Time `json:"expires_at"`
}

// GateAudience is the KB-JWT audience of presentations at gate id.
func (s *Service) GateAudience(id string) string { return s.cfg.Audience + "/gates/" + id }

// CheckinAudience is the KB-JWT audience of enrolment presentations for a flight.
func (s *Service) CheckinAudience(f Flight) string {
	return s.cfg.Audience + "/flights/" + f.Carrier + f.Number + "/" + f.Date
}

// GateNonce issues a single-use nonce for a configured gate.
func (s *Service) GateNonce(ctx context.Context, id string) (Nonce, error) {
	if _, err := s.Gate(ctx, id); err != nil {
		return Nonce{}, err
	}
	return s.issueNonce(ctx, s.GateAudience(id))
}

// CheckinNonce issues a single-use nonce for enrolling on flight f.
func (s *Service) CheckinNonce(ctx context.Context, f Flight) (Nonce, error) {
	return s.issueNonce(ctx, s.CheckinAudience(f))
}

func (s *Service) issueNonce(ctx context.Context, aud string) (Nonce, error) {
	now := s.cfg.Now()
	exp := now.Add(s.cfg.NonceTTL)
	var n string
	var err error
	if s.shared != nil {
		if n, err = randomNonce(); err == nil {
			if err = s.shared.PutNonce(ctx, aud, n, exp); err != nil {
				err = &Error{Code: ReasonInternal, Msg: "nonce store", Err: err}
			}
		}
	} else {
		n, err = s.nonces.issue(aud, now, exp)
	}
	if err != nil {
		return Nonce{}, err
	}
	return Nonce{Nonce: n, Audience: aud, ExpiresAt: exp.UTC().Truncate(time.Second)}, nil
}

// takeNonce consumes a nonce for aud from the shared store or this instance's memory. A store
// error is a failed take (fail closed) and is logged.
func (s *Service) takeNonce(ctx context.Context, aud, nonce string) (spentNonce, bool) {
	if !nonceShaped(nonce) { // nothing else was issued: no store round trip for garbage
		return spentNonce{}, false
	}
	var exp time.Time
	var ok bool
	if s.shared == nil {
		exp, ok = s.nonces.take(aud, nonce, s.cfg.Now())
	} else {
		var err error
		if exp, ok, err = s.shared.TakeNonce(ctx, aud, nonce, s.cfg.Now()); err != nil {
			s.cfg.Logger.Error("gate store", "op", "take_nonce", "err", err)
			return spentNonce{}, false
		}
	}
	if !ok {
		return spentNonce{}, false
	}
	return spentNonce{aud: aud, nonce: nonce, exp: exp}, true
}

// spentNonce is a nonce a request consumed, kept so that it can be put back when the
// request's effect (a boarding, an enrolment) could not be stored.
type spentNonce struct {
	aud, nonce string
	exp        time.Time
	pres       [32]byte // SHA-256 of the KB-JWT (over the whole presentation) that carried it
}

// requestID names the request that spent n: a hash of its scope, its nonce and its KB-JWT
// (signed by the holder over that nonce and the presentation's sd_hash), so only a resend of
// that very presentation, its nonce put back after a store failure, has it.
func (n spentNonce) requestID() AttemptID {
	if n.nonce == "" {
		return AttemptID{}
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte("gate-request/2"), []byte(n.aud), []byte(n.nonce), n.pres[:]} {
		h.Write(part)
		h.Write([]byte{0})
	}
	var id AttemptID
	copy(id[:], h.Sum(nil))
	return id
}

// restoreNonce puts back the nonce of a request that passed every check but whose write to
// the Store failed: nothing of it took effect, so the terminal or check-in may send the very
// same request again (until the nonce's own expiry) instead of asking the passenger's wallet
// for a new presentation. A nonce that cannot be put back stays spent (fail closed).
func (s *Service) restoreNonce(ctx context.Context, n spentNonce) {
	s.restoreNonces(ctx, []spentNonce{n})
}

// restoreNonces puts back the nonces of several such requests (an enrol-batch's unstored
// items) under one deadline: a shared store that has just failed a write may hang, and the
// put-back must not hold the request for a timeout per item. It stops at the first error;
// the nonces not yet put back stay spent.
func (s *Service) restoreNonces(ctx context.Context, ns []spentNonce) {
	now := s.cfg.Now()
	if s.shared == nil {
		for _, n := range ns {
			// A store still full after its sweep stays full for the rest: stop rather than
			// sweep the whole table once per item under the lock every gate waits on.
			if n.nonce != "" && now.Before(n.exp) && !s.nonces.restore(n.aud, n.nonce, n.exp, now) {
				return
			}
		}
		return
	}
	// The request's context may be what failed the write: give the put-back its own bound.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	restored := 0
	for _, n := range ns {
		if n.nonce == "" || !now.Before(n.exp) {
			continue
		}
		if err := s.shared.PutNonce(ctx, n.aud, n.nonce, n.exp); err != nil {
			s.cfg.Logger.Error("gate store", "op", "restore_nonce", "restored", restored, "of", len(ns), "err", err)
			return
		}
		restored++
	}
}

// restoreTimeout bounds putting nonces back into a shared store, for a whole request.
const restoreTimeout = 2 * time.Second
