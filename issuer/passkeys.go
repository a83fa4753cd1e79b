package issuer

import (
	"context"
	"strings"
	"sync"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/passkey"
	"github.com/idgate/idgate/issuer/storage"
)

// passkeyState is the Service's relying party, built on first use.
type passkeyState struct {
	once sync.Once
	svc  *passkey.Service
	err  error
}

// Passkeys is the holders' passkey relying party (package passkey), built on first use. It
// fails with a passkey.Error coded passkeys_unavailable when PublicURL cannot name a relying
// party (see passkey.RelyingParty).
func (s *Service) Passkeys() (*passkey.Service, error) {
	s.pk.once.Do(func() {
		s.pk.svc, s.pk.err = passkey.New(passkey.Config{
			Store: s.cfg.Passkeys, Holders: holderNames{s}, Audit: auditorFunc(s.audit),
			PublicURL: s.cfg.PublicURL, Now: s.cfg.Now,
		})
		if s.pk.err != nil {
			s.cfg.Logger.Warn("passkeys disabled", "reason", s.pk.err.Error())
		}
	})
	return s.pk.svc, s.pk.err
}

// InvitePasskey invites holderID to register a passkey through which they collect credentials
// of types, each of which this issuer must sign.
func (s *Service) InvitePasskey(ctx context.Context, actor, holderID string, types []credential.Type) (passkey.Invitation, error) {
	if len(types) == 0 {
		return passkey.Invitation{}, errf(CodeInvalidRequest, "credential_types is required")
	}
	names := make([]string, len(types))
	for i, t := range types {
		if !s.offered(t) {
			return passkey.Invitation{}, errf(CodeUnknownConfiguration, "credential type %q is not issued here", t)
		}
		names[i] = string(t)
	}
	h, err := s.cfg.Store.GetHolder(ctx, holderID)
	if err != nil {
		return passkey.Invitation{}, err
	}
	pk, err := s.Passkeys()
	if err != nil {
		return passkey.Invitation{}, err
	}
	return pk.Invite(ctx, actor, h.ID, names)
}

// PendingOffer is one credential the holder may still collect, as a fresh offer.
type PendingOffer struct {
	CredentialType credential.Type `json:"credential_type"`
	Offer
}

// PendingOffers makes a fresh single-use, expiring offer for each of types that the holder
// has no unexpired credential of. A suspended or revoked credential counts as held: the
// holder cannot undo an operator's status decision by collecting a fresh credential, so
// re-issue after suspension or revocation goes through an operator. Unknown types are skipped,
// and so is the mdoc licence once its enrolment portrait is gone (issued or expired).
func (s *Service) PendingOffers(ctx context.Context, actor, holderID string, types []credential.Type) ([]PendingOffer, error) {
	held := map[string]bool{}
	now := s.cfg.Now()
	f := storage.CredentialFilter{HolderID: holderID, Limit: 1000}
	for {
		cs, err := s.cfg.Store.ListCredentials(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if now.Before(c.ExpiresAt) {
				held[c.VCT] = true
			}
		}
		if len(cs) < f.Limit {
			break
		}
		f.AfterID = cs[len(cs)-1].ID
	}
	out := []PendingOffer{}
	for _, t := range types {
		if !s.offered(t) || held[mustVCT(t)] {
			continue
		}
		o, err := s.CreateOffer(ctx, actor, holderID, t)
		if t == MdocMDL && err != nil && AsError(err).Code == CodeConflict {
			continue // the mdoc's portrait is gone: only a new enrolment offers it again
		}
		if err != nil {
			return nil, err
		}
		out = append(out, PendingOffer{CredentialType: t, Offer: o})
	}
	return out, nil
}

type holderNames struct{ s *Service }

// HolderName is what the authenticator shows in its account picker.
func (h holderNames) HolderName(ctx context.Context, id string) (string, error) {
	hd, err := h.s.cfg.Store.GetHolder(ctx, id)
	if err != nil {
		return "", err
	}
	given, _ := hd.Attributes["given_name"].(string)
	family, _ := hd.Attributes["family_name"].(string)
	if name := strings.TrimSpace(given + " " + family); name != "" {
		return name, nil
	}
	return id, nil
}

type auditorFunc func(ctx context.Context, actor, action, subject string, details map[string]string)

func (f auditorFunc) Audit(ctx context.Context, actor, action, subject string, details map[string]string) {
	f(ctx, actor, action, subject, details)
}
