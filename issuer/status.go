package issuer

import (
	"context"
	"strconv"
	"time"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/statuslist"
)

// Status actions an operator can take, and the list value each sets.
var statusActions = map[string]struct {
	from []uint8
	to   uint8
}{
	"revoke":    {from: []uint8{statuslist.Valid, statuslist.Suspended}, to: statuslist.Invalid},
	"suspend":   {from: []uint8{statuslist.Valid}, to: statuslist.Suspended},
	"reinstate": {from: []uint8{statuslist.Suspended}, to: statuslist.Valid},
}

// SetStatus revokes, suspends or reinstates a credential. Revocation is final.
func (s *Service) SetStatus(ctx context.Context, actor, credentialID, action string) (storage.Credential, error) {
	a, ok := statusActions[action]
	if !ok {
		return storage.Credential{}, errf(CodeInvalidRequest, "unknown action %q", action)
	}
	var out storage.Credential
	ev := s.event(actor, "credential."+action, credentialID, map[string]string{"status": StatusName(a.to)})
	err := s.cfg.Store.UpdateCredential(ctx, credentialID, func(c *storage.Credential) error {
		allowed := false
		for _, f := range a.from {
			allowed = allowed || c.Status == f
		}
		if !allowed {
			return errf(CodeConflict, "cannot %s a credential whose status is %s", action, StatusName(c.Status))
		}
		c.Status = a.to
		c.UpdatedAt = s.cfg.Now().UTC()
		out = *c
		return nil
	}, ev)
	if err != nil {
		return storage.Credential{}, err
	}
	s.statusTokens.Delete(out.StatusListID) // the next fetch shows the change
	return out, nil
}

// StatusName is the readable name of a status value.
func StatusName(v uint8) string {
	switch v {
	case statuslist.Valid:
		return "valid"
	case statuslist.Invalid:
		return "revoked"
	case statuslist.Suspended:
		return "suspended"
	}
	return "status-" + strconv.Itoa(int(v))
}

// statusTokenCache is how long a signed list token is served again: building one reads every
// used slot, compresses and signs, which an anonymous caller must not be able to trigger at
// will. A status change made through this Service drops the cached token at once; one made
// by another issuer instance shows within this time (relying parties cache for the token's
// ttl anyway).
const statusTokenCache = 10 * time.Second

type cachedToken struct {
	token string
	until time.Time
}

// StatusListToken returns the current signed status list token for list id: from a short
// cache, else built from the store and signed.
func (s *Service) StatusListToken(ctx context.Context, id string) (string, error) {
	if c, ok := s.statusTokens.Load(id); ok && time.Now().Before(c.(cachedToken).until) {
		return c.(cachedToken).token, nil
	}
	tok, err := s.buildStatusListToken(ctx, id)
	if err != nil {
		return "", err
	}
	s.statusTokens.Store(id, cachedToken{token: tok, until: time.Now().Add(min(statusTokenCache, s.cfg.StatusTTL))})
	return tok, nil
}

func (s *Service) buildStatusListToken(ctx context.Context, id string) (string, error) {
	l, err := s.cfg.Store.GetStatusList(ctx, id)
	if err != nil {
		return "", err
	}
	entries, err := s.cfg.Store.StatusEntries(ctx, id)
	if err != nil {
		return "", err
	}
	list, err := statuslist.New(l.Bits, l.Size)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if err := list.Set(e.Index, e.Status); err != nil {
			return "", err
		}
	}
	now := s.cfg.Now()
	return statuslist.Sign(statuslist.Token{
		Subject: l.URI, IssuedAt: now, ExpiresAt: now.Add(s.cfg.StatusExpiry), TTL: s.cfg.StatusTTL, List: list,
	}, s.cfg.StatusSigner)
}
