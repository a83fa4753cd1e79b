package issuer

import (
	"context"
	"crypto"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"
)

// CredentialRequest is the body of the OpenID4VCI credential endpoint.
type CredentialRequest struct {
	ConfigurationID string `json:"credential_configuration_id"`
	Proofs          *struct {
		JWT []string `json:"jwt"`
	} `json:"proofs,omitempty"`
	Proof *struct {
		ProofType string `json:"proof_type"`
		JWT       string `json:"jwt"`
	} `json:"proof,omitempty"`
}

func (r CredentialRequest) proofJWT() (string, error) {
	switch {
	case r.Proofs != nil && r.Proof != nil:
		return "", errf(CodeInvalidRequest, http.StatusBadRequest, "send either proof or proofs, not both")
	case r.Proofs != nil:
		if len(r.Proofs.JWT) != 1 {
			return "", errf(CodeInvalidProof, http.StatusBadRequest, "exactly one jwt proof is supported")
		}
		return r.Proofs.JWT[0], nil
	case r.Proof != nil:
		if r.Proof.ProofType != "jwt" {
			return "", errf(CodeInvalidProof, http.StatusBadRequest, "proof_type must be jwt")
		}
		return r.Proof.JWT, nil
	}
	return "", errf(CodeInvalidProof, http.StatusBadRequest, "a proof of possession is required")
}

// Credential issues the credential an access token was granted for, bound to the key proven by
// the request's proof JWT. The status slot and the credential record are stored in one
// transaction before anything is signed, so a crash can waste a slot but never issue a
// credential without one.
func (s *Service) Credential(ctx context.Context, bearer string, req CredentialRequest) (string, error) {
	if bearer == "" {
		return "", errf(CodeInvalidToken, http.StatusUnauthorized, "access token required")
	}
	proofJWT, err := req.proofJWT()
	if err != nil {
		return "", err
	}
	now := s.cfg.Now()
	// Read the token first (cheap), check the proof, then consume the token atomically.
	at, err := s.cfg.Store.GetAccessToken(ctx, hashSecret(bearer))
	if errors.Is(err, storage.ErrNotFound) {
		return "", errf(CodeInvalidToken, http.StatusUnauthorized, "unknown access token")
	} else if err != nil {
		return "", err
	}
	if at.UsedAt != nil || !now.Before(at.ExpiresAt) {
		return "", errf(CodeInvalidToken, http.StatusUnauthorized, "access token used or expired")
	}
	offer, err := s.cfg.Store.GetOffer(ctx, at.OfferID)
	if err != nil {
		return "", err
	}
	ctype := credential.Type(offer.CredentialType)
	if req.ConfigurationID != string(ctype) {
		return "", errf(CodeUnknownConfiguration, http.StatusBadRequest, "this token grants %q", ctype)
	}
	proof, err := s.checkProof(proofJWT, now)
	if err != nil {
		return "", err
	}
	nonceOK := at.CNonce != "" && subtle.ConstantTimeCompare([]byte(proof.nonce), []byte(at.CNonce)) == 1 &&
		now.Before(at.CNonceExpiresAt)
	if !nonceOK && !s.nonces.consume(proof.nonce, now) {
		return "", errf(CodeInvalidNonce, http.StatusBadRequest, "proof nonce is not a fresh c_nonce")
	}
	err = s.cfg.Store.UpdateAccessToken(ctx, hashSecret(bearer), func(t *storage.AccessToken) error {
		if t.UsedAt != nil {
			return errf(CodeInvalidToken, http.StatusUnauthorized, "access token already used")
		}
		u := now.UTC()
		t.UsedAt = &u
		t.CNonce = "" // single use
		return nil
	})
	if err != nil {
		return "", err
	}
	holder, err := s.cfg.Store.GetHolder(ctx, offer.HolderID)
	if err != nil {
		return "", err
	}
	subject, err := credential.SubjectClaims(ctype, credential.Select(ctype, holder.Attributes), now)
	if err != nil {
		return "", err
	}
	thumb, err := thumbprint(proof.key)
	if err != nil {
		return "", err
	}
	signer := s.cfg.Signers[ctype]
	// A credential never outlives the certificate that signs it (verifiers reject that).
	expires := now.Add(s.cfg.CredentialTTL)
	if na := signer.Chain()[0].NotAfter; na.Before(expires) {
		expires = na
	}
	if !expires.After(now) {
		return "", errf(CodeInternal, http.StatusServiceUnavailable, "the %s signing certificate has expired", ctype)
	}
	rec, list, err := s.reserve(ctx, storage.Credential{
		ID: randomID(), HolderID: holder.ID, OfferID: offer.ID, VCT: mustVCT(ctype),
		HolderKeyThumbprint: thumb, IssuedAt: now.UTC(), ExpiresAt: expires.UTC(),
		UpdatedAt: now.UTC(),
	})
	if err != nil {
		return "", err
	}
	var raw any
	if err := proof.key.Raw(&raw); err != nil {
		return "", err
	}
	sdjwtVC, err := credential.Issue(credential.IssueRequest{
		Type: ctype, Issuer: s.cfg.PublicURL, Subject: subject, HolderKey: raw.(crypto.PublicKey),
		Status:   credential.StatusRef{Index: rec.StatusIndex, URI: list.URI},
		IssuedAt: now, ExpiresAt: expires,
	}, signer)
	if err != nil {
		return "", err
	}
	s.audit(ctx, "wallet", "credential.issue", rec.ID, map[string]string{
		"holder": holder.ID, "type": string(ctype), "status_list": list.ID,
		"status_idx": itoa(rec.StatusIndex), "holder_key": thumb,
	})
	return sdjwtVC, nil
}

func mustVCT(t credential.Type) string {
	spec, _ := credential.Lookup(t)
	return spec.VCT
}

func thumbprint(k jwk.Key) (string, error) {
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// reserve records c with a fresh random slot in the current status list, opening a new list
// when the current one is full.
func (s *Service) reserve(ctx context.Context, c storage.Credential) (storage.Credential, storage.StatusList, error) {
	full := ""
	for attempt := 0; attempt < 3; attempt++ {
		list, err := s.currentList(ctx, full)
		if err != nil {
			return c, list, err
		}
		c.StatusListID = list.ID
		rec, err := s.cfg.Store.IssueCredential(ctx, c)
		if err == nil {
			return rec, list, nil
		}
		if !errors.Is(err, storage.ErrConflict) {
			return c, list, err
		}
		full = list.ID
	}
	return c, storage.StatusList{}, errf(CodeInternal, http.StatusServiceUnavailable, "no status list slot available")
}

// currentList returns the newest status list, creating one when there is none or when the
// newest is the one just found full (so concurrent callers open one new list, not several).
func (s *Service) currentList(ctx context.Context, full string) (storage.StatusList, error) {
	s.listMu.Lock()
	defer s.listMu.Unlock()
	lists, err := s.cfg.Store.ListStatusLists(ctx)
	if err != nil {
		return storage.StatusList{}, err
	}
	if len(lists) > 0 {
		newest := lists[0]
		for _, l := range lists[1:] {
			if l.CreatedAt.After(newest.CreatedAt) {
				newest = l
			}
		}
		if newest.ID != full {
			return newest, nil
		}
	}
	id := randomID()
	l := storage.StatusList{
		ID: id, URI: strings.TrimRight(s.cfg.PublicURL, "/") + "/status/" + id,
		Bits: 2, Size: s.cfg.StatusListSize, CreatedAt: s.cfg.Now().UTC(),
	}
	if err := s.cfg.Store.CreateStatusList(ctx, l); err != nil {
		return storage.StatusList{}, err
	}
	s.audit(ctx, "issuer", "statuslist.create", l.ID, nil)
	return l, nil
}
