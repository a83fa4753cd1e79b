package issuer

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

// PortraitKeySize is the length of Config.PortraitKey (AES-256).
const PortraitKeySize = 32

// portraitAD prefixes the GCM additional data; the holder ID follows it, so a sealed portrait
// opens only as the portrait of the holder it was sealed for.
const portraitAD = "idgate portrait v1\x00"

// portraitSealer seals enrolment portraits at rest: nonce || AES-256-GCM(key, nonce, jpeg,
// portraitAD || holder ID).
type portraitSealer struct{ aead cipher.AEAD }

func newPortraitSealer(key []byte) (*portraitSealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &portraitSealer{aead: aead}, nil
}

func (p *portraitSealer) seal(holderID string, jpeg []byte) []byte {
	nonce := randomBytes(p.aead.NonceSize())
	return p.aead.Seal(nonce, nonce, jpeg, []byte(portraitAD+holderID))
}

func (p *portraitSealer) open(holderID string, sealed []byte) ([]byte, error) {
	ns := p.aead.NonceSize()
	if len(sealed) < ns+p.aead.Overhead() {
		return nil, errors.New("issuer: sealed portrait truncated")
	}
	return p.aead.Open(nil, sealed[:ns], sealed[ns:], []byte(portraitAD+holderID))
}

// portraitGone is the answer when the portrait an mdoc needs was deleted (the licence was
// issued, or the wait for it ended): the holder must enrol again.
func portraitGone() *Error {
	return errf(CodeConflict, "the holder's enrolment portrait was deleted (licence issued or offer expired): enrol the holder again")
}

// holderPortrait opens the holder's sealed portrait for credential credID: one not yet issued
// in any credential (credID ""), or issued in credID (a re-delivery).
func (s *Service) holderPortrait(ctx context.Context, holderID, credID string, now time.Time) ([]byte, error) {
	p, err := s.cfg.Store.GetPortrait(ctx, holderID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (!now.Before(p.ExpiresAt) || p.CredentialID != credID)) {
		return nil, portraitGone()
	} else if err != nil {
		return nil, err
	}
	jpeg, err := s.portraits.open(holderID, p.Sealed)
	if err != nil {
		return nil, unavailable("the holder's portrait does not open with this issuer's portrait key")
	}
	return jpeg, nil
}

// keepPortraitUntil keeps the holder's portrait until t, the last moment the newest mdoc offer
// can use it (offers share one lifetime, so the newest ends last): from an offer on, the
// portrait goes when the offer expires, not at the end of PortraitTTL. portraitGone when it is
// deleted, expired or issued already.
func (s *Service) keepPortraitUntil(ctx context.Context, holderID string, t, now time.Time) error {
	err := s.cfg.Store.UpdatePortrait(ctx, holderID, func(p *storage.Portrait) error {
		if !now.Before(p.ExpiresAt) || p.CredentialID != "" {
			return portraitGone()
		}
		p.ExpiresAt = t.UTC()
		return nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		return portraitGone()
	}
	return err
}

// issuePortrait gives the holder's portrait to credential credID, and brings its deletion
// forward to t (when the token that fetches the credential can no longer fetch it again): no
// other credential gets it, so a licence on another device means enrolling again.
func (s *Service) issuePortrait(ctx context.Context, holderID, credID string, t, now time.Time) error {
	err := s.cfg.Store.UpdatePortrait(ctx, holderID, func(p *storage.Portrait) error {
		if !now.Before(p.ExpiresAt) || p.CredentialID != "" {
			return portraitGone()
		}
		p.CredentialID = credID
		if t.Before(p.ExpiresAt) {
			p.ExpiresAt = t.UTC()
		}
		return nil
	}, s.event("wallet", "holder.portrait.issue", holderID, map[string]string{"credential": credID}))
	if errors.Is(err, storage.ErrNotFound) {
		return portraitGone()
	}
	return err
}

// deleteExpiredPortrait deletes the holder's portrait if its time is up, with its audit
// event (reason "issued" for one issued in a credential, else "expired").
func (s *Service) deleteExpiredPortrait(ctx context.Context, holderID string) (bool, error) {
	p, err := s.cfg.Store.GetPortrait(ctx, holderID)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	reason := "expired"
	if p.CredentialID != "" {
		reason = "issued"
	}
	now := s.cfg.Now()
	err = s.cfg.Store.DeletePortrait(ctx, holderID, func(cur storage.Portrait) error {
		if now.Before(cur.ExpiresAt) || cur.CredentialID != p.CredentialID {
			return errNothingToDo // changed meanwhile: the next pass looks again
		}
		return nil
	}, s.event("issuer", "holder.portrait.delete", holderID, map[string]string{"reason": reason}))
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, errNothingToDo) {
		return false, nil
	}
	return err == nil, err
}

// DeleteExpiredPortraits deletes every enrolment portrait whose time is up: its licence was
// issued and the token that fetched it expired, or no licence was issued in time (no offer
// within PortraitTTL, or the offer's token expired unused). Each deletion commits with its
// audit event. It returns how many it deleted.
func (s *Service) DeleteExpiredPortraits(ctx context.Context) (int, error) {
	n := 0
	for {
		ids, err := s.cfg.Store.ExpiredPortraits(ctx, s.cfg.Now(), storage.MaxLimit)
		if err != nil {
			return n, err
		}
		deleted := 0
		for _, id := range ids {
			ok, err := s.deleteExpiredPortrait(ctx, id)
			if err != nil {
				return n, err
			}
			if ok {
				deleted++
			}
		}
		n += deleted
		if len(ids) < storage.MaxLimit || deleted == 0 {
			return n, nil
		}
	}
}
