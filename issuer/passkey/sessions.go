package passkey

import (
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

type ceremony int

const (
	ceremonyRegister ceremony = iota + 1
	ceremonyLogin
)

// session is the server half of one in-flight ceremony.
type session struct {
	kind       ceremony
	data       webauthn.SessionData
	inviteHash []byte // registration only
	holderID   string // registration only
	expires    time.Time
}

// sessions is a bounded table of in-flight ceremonies. A session is taken (deleted) by the
// first finish attempt, whatever its outcome, so a challenge is never verified twice.
type sessions struct {
	mu  sync.Mutex
	m   map[string]session
	max int
}

func newSessions(max int) *sessions { return &sessions{m: map[string]session{}, max: max} }

// put stores s under id; a full table is first swept of expired sessions, then refused.
func (t *sessions) put(id string, s session, now time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) >= t.max {
		for k, v := range t.m {
			if !now.Before(v.expires) {
				delete(t.m, k)
			}
		}
		if len(t.m) >= t.max {
			return fail(CodeTooManySessions, "too many ceremonies in flight, retry shortly", nil)
		}
	}
	t.m[id] = s
	return nil
}

// take removes and returns the live session id of the given kind.
func (t *sessions) take(id string, kind ceremony, now time.Time) (session, error) {
	t.mu.Lock()
	s, ok := t.m[id]
	delete(t.m, id)
	t.mu.Unlock()
	switch {
	case !ok:
		return session{}, fail(CodeInvalidSession, "unknown or already used ceremony session", nil)
	case s.kind != kind:
		return session{}, fail(CodeInvalidSession, "ceremony session of the wrong kind", nil)
	case !now.Before(s.expires):
		return session{}, fail(CodeInvalidSession, "ceremony session expired", nil)
	}
	return s, nil
}
