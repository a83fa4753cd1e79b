package issuer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/mdoc"
)

// CredentialRequest is the body of the OpenID4VCI credential endpoint.
type CredentialRequest struct {
	ConfigurationID string     `json:"credential_configuration_id"`
	Proofs          *KeyProofs `json:"proofs,omitempty"`
	Proof           *KeyProof  `json:"proof,omitempty"`
}

// KeyProofs is a credential request's proofs object (OpenID4VCI 1.0 §8.2): one proof type.
type KeyProofs struct {
	JWT         []string `json:"jwt"`
	Attestation []string `json:"attestation"`
}

// KeyProof is the single proof object of earlier drafts, still accepted.
type KeyProof struct {
	ProofType   string `json:"proof_type"`
	JWT         string `json:"jwt"`
	Attestation string `json:"attestation"`
}

// keyProof returns the request's one key proof and its type (jwt or attestation).
func (r CredentialRequest) keyProof() (kind, value string, err error) {
	switch {
	case r.Proofs != nil && r.Proof != nil:
		return "", "", errf(CodeInvalidCredentialRequest, "send either proof or proofs, not both")
	case r.Proofs != nil && r.Proofs.JWT != nil && r.Proofs.Attestation != nil:
		return "", "", errf(CodeInvalidCredentialRequest, "proofs holds one proof type")
	case r.Proofs != nil && r.Proofs.Attestation != nil:
		if len(r.Proofs.Attestation) != 1 {
			return "", "", errf(CodeInvalidProof, "the attestation proof type holds exactly one key attestation")
		}
		return proofTypeAttestation, r.Proofs.Attestation[0], nil
	case r.Proofs != nil:
		if len(r.Proofs.JWT) != 1 {
			return "", "", errf(CodeInvalidProof, "exactly one jwt proof is supported")
		}
		return proofTypeJWT, r.Proofs.JWT[0], nil
	case r.Proof != nil:
		switch r.Proof.ProofType {
		case proofTypeJWT:
			return proofTypeJWT, r.Proof.JWT, nil
		case proofTypeAttestation:
			return proofTypeAttestation, r.Proof.Attestation, nil
		}
		return "", "", errf(CodeInvalidProof, "proof_type must be jwt or attestation")
	}
	return "", "", errf(CodeInvalidProof, "a proof of possession is required")
}

// Issued is a credential the credential endpoint answers with.
type Issued struct {
	ID string // the stored credential's id
	// Credential is the credential as the response carries it: the SD-JWT VC, or for MdocMDL
	// the base64url CBOR IssuerSigned.
	Credential string
	Repeat     bool // a re-delivery of the credential issued earlier for the same token and key
}

// errTokenSpent aborts an issuing transaction whose token a concurrent request spent first.
var errTokenSpent = errors.New("issuer: access token spent concurrently")

// Credential issues the credential an access token was granted for, bound to the key proven
// by the request's proof JWT. Spending the token, reserving the status slot, recording the
// credential (pending delivery) and its audit event are one transaction, committed before
// anything is signed: a crash can leave a credential nobody received, never a spent token
// without its credential.
//
// The token stays good for re-delivery until it expires: a request repeated with the same
// token and a proof by the same holder key gets the same credential again (same id, status
// slot, claims, iat and exp, freshly signed), so a wallet whose answer was lost can retry.
// A proof by any other key is refused: the token is single-use for everyone else.
func (s *Service) Credential(ctx context.Context, bearer string, req CredentialRequest) (Issued, error) {
	if bearer == "" {
		return Issued{}, errf(CodeInvalidToken, "access token required")
	}
	if _, _, err := req.keyProof(); err != nil {
		return Issued{}, err
	}
	now := s.cfg.Now()
	// Read the token first (cheap), check the proof, then spend the token atomically.
	at, err := s.cfg.Store.GetAccessToken(ctx, hashSecret(bearer))
	if errors.Is(err, storage.ErrNotFound) {
		return Issued{}, errf(CodeInvalidToken, "unknown access token")
	} else if err != nil {
		return Issued{}, err
	}
	if !now.Before(at.ExpiresAt) {
		return Issued{}, errf(CodeInvalidToken, "access token expired")
	}
	if at.UsedAt != nil && at.CredentialID == "" {
		return Issued{}, errf(CodeInvalidToken, "access token used")
	}
	offer, err := s.cfg.Store.GetOffer(ctx, at.OfferID)
	if err != nil {
		return Issued{}, err
	}
	ctype := credential.Type(offer.CredentialType)
	if req.ConfigurationID != string(ctype) {
		return Issued{}, errf(CodeUnknownConfiguration, "this token grants %q", ctype)
	}
	if !s.offered(ctype) { // offered when the offer was made, no longer configured
		return Issued{}, unavailable("credential type %q is not issued here", ctype)
	}
	proof, err := s.keyProof(ctx, req, string(ctype), now)
	if err != nil {
		return Issued{}, err
	}
	if ctype == MdocMDL {
		if _, err := proofDeviceKey(proof.key); err != nil {
			return Issued{}, err
		}
	}
	nonceOK := at.CNonce != "" && subtle.ConstantTimeCompare([]byte(proof.nonce), []byte(at.CNonce)) == 1 &&
		now.Before(at.CNonceExpiresAt)
	if !nonceOK && !s.nonces.consume(proof.nonce, now) {
		return Issued{}, errf(CodeInvalidNonce, "proof nonce is not a fresh c_nonce")
	}
	thumb, err := thumbprint(proof.key)
	if err != nil {
		return Issued{}, err
	}
	if at.UsedAt != nil {
		return s.redeliver(ctx, at, ctype, thumb, proof.key, now)
	}
	holder, err := s.cfg.Store.GetHolder(ctx, offer.HolderID)
	if err != nil {
		return Issued{}, err
	}
	signer := s.signerFor(ctype)
	// A credential never outlives the certificate that signs it (verifiers reject that).
	expires := now.Add(s.cfg.CredentialTTL)
	if na := signer.Chain()[0].NotAfter; na.Before(expires) {
		expires = na
	}
	if !expires.After(now) {
		return Issued{}, unavailable("the %s signing certificate has expired", ctype)
	}
	if err := s.checkHolderFor(ctype, holder, now); err != nil {
		return Issued{}, err
	}
	if ctype == MdocMDL { // refuse before the token is spent: the portrait must still be there
		if _, err := s.holderPortrait(ctx, holder.ID, "", now); err != nil {
			return Issued{}, err
		}
	}
	id := randomID()
	pendingUntil := at.ExpiresAt.UTC()
	rec, list, err := s.reserve(ctx, storage.Credential{
		ID: id, HolderID: holder.ID, OfferID: offer.ID, VCT: mustVCT(ctype),
		HolderKeyThumbprint: thumb, IssuedAt: now.UTC(), ExpiresAt: expires.UTC(),
		UpdatedAt: now.UTC(), PendingUntil: &pendingUntil,
	}, storage.IssueOptions{
		TokenHash: hashSecret(bearer),
		UseToken: func(t *storage.AccessToken) error {
			if t.UsedAt != nil {
				return errTokenSpent
			}
			u := now.UTC()
			t.UsedAt, t.CredentialID, t.CNonce = &u, id, "" // the c_nonce is single-use
			return nil
		},
		Audit: func(c storage.Credential) storage.AuditEvent {
			details := map[string]string{
				"holder": holder.ID, "type": string(ctype), "status_list": c.StatusListID,
				"status_idx": strconv.Itoa(c.StatusIndex), "holder_key": thumb,
			}
			if a := proof.attestation; a != nil {
				details["key_attestation"] = a.SignerCN
				details["key_storage"] = strings.Join(a.KeyStorage, " ")
			}
			return s.event("wallet", "credential.issue", c.ID, details)
		},
	})
	if errors.Is(err, errTokenSpent) {
		// A twin request spent the token first: answer as its repeat (same key) or refuse.
		if at, err = s.cfg.Store.GetAccessToken(ctx, hashSecret(bearer)); err != nil {
			return Issued{}, err
		}
		return s.redeliver(ctx, at, ctype, thumb, proof.key, now)
	}
	if err != nil {
		return Issued{}, err
	}
	if ctype == MdocMDL {
		// The portrait is this licence's now, kept only while the token can fetch it again. A
		// failure leaves the credential pending: it is revoked when the token expires.
		if err := s.issuePortrait(ctx, holder.ID, rec.ID, at.ExpiresAt.Add(s.cfg.UndeliveredGrace), now); err != nil {
			return Issued{}, err
		}
	}
	vc, err := s.sign(ctx, ctype, holder, rec, list, proof.key)
	if err != nil {
		return Issued{}, err
	}
	return Issued{ID: rec.ID, Credential: vc}, nil
}

// redeliver answers a repeated credential request: the credential the token was spent on,
// signed again, if the proof is by the key it is bound to and it is still valid.
func (s *Service) redeliver(ctx context.Context, at storage.AccessToken, ctype credential.Type, thumb string, key jwk.Key, now time.Time) (Issued, error) {
	used := errf(CodeInvalidToken, "access token used")
	if at.CredentialID == "" || !now.Before(at.ExpiresAt) {
		return Issued{}, used
	}
	rec, err := s.cfg.Store.GetCredential(ctx, at.CredentialID)
	if err != nil {
		return Issued{}, err
	}
	if subtle.ConstantTimeCompare([]byte(rec.HolderKeyThumbprint), []byte(thumb)) != 1 || rec.Status != storage.StatusValid {
		return Issued{}, used
	}
	holder, err := s.cfg.Store.GetHolder(ctx, rec.HolderID)
	if err != nil {
		return Issued{}, err
	}
	list, err := s.cfg.Store.GetStatusList(ctx, rec.StatusListID)
	if err != nil {
		return Issued{}, err
	}
	vc, err := s.sign(ctx, ctype, holder, rec, list, key)
	if err != nil {
		return Issued{}, err
	}
	s.audit(ctx, "wallet", "credential.redeliver", rec.ID, map[string]string{"holder_key": thumb})
	return Issued{ID: rec.ID, Credential: vc, Repeat: true}, nil
}

// sign builds and signs the SD-JWT VC (or for MdocMDL the mdoc) of a stored credential: claims
// as of its IssuedAt, so a re-delivery carries the same claims, iat and exp.
func (s *Service) sign(ctx context.Context, ctype credential.Type, holder storage.Holder, rec storage.Credential, list storage.StatusList, key jwk.Key) (string, error) {
	if ctype == MdocMDL {
		pub, err := proofDeviceKey(key)
		if err != nil {
			return "", err
		}
		return s.signMdoc(ctx, holder, rec, list, pub)
	}
	signer := s.cfg.Signers[ctype]
	if signer.Chain()[0].NotAfter.Before(rec.ExpiresAt) {
		return "", unavailable("the %s signing certificate expires before the credential", ctype)
	}
	subject, err := credential.SubjectClaims(ctype, credential.Select(ctype, holder.Attributes), rec.IssuedAt)
	if err != nil {
		return "", err
	}
	var raw any
	if err := key.Raw(&raw); err != nil {
		return "", err
	}
	return credential.Issue(credential.IssueRequest{
		Type: ctype, Issuer: s.cfg.PublicURL, Subject: subject, HolderKey: raw.(crypto.PublicKey),
		Status:   credential.StatusRef{Index: rec.StatusIndex, URI: list.URI},
		IssuedAt: rec.IssuedAt, ExpiresAt: rec.ExpiresAt,
	}, signer)
}

// Delivered records that the answer carrying credential id was handed to the wallet's
// connection in full, so the credential is no longer revoked when its token expires.
func (s *Service) Delivered(ctx context.Context, id string) error {
	err := s.cfg.Store.UpdateCredential(ctx, id, func(c *storage.Credential) error {
		if c.PendingUntil == nil {
			return errNothingToDo
		}
		c.PendingUntil = nil
		return nil
	})
	if errors.Is(err, errNothingToDo) {
		return nil
	}
	return err
}

var errNothingToDo = errors.New("issuer: nothing to do")

// RevokeUndelivered revokes every credential whose delivery was never confirmed and whose
// token expired more than Config.UndeliveredGrace ago (nobody can fetch it any more), each with
// its audit event in the same transaction. It returns how many it revoked.
func (s *Service) RevokeUndelivered(ctx context.Context) (int, error) {
	n := 0
	for {
		now := s.cfg.Now()
		batch, err := s.cfg.Store.ListCredentials(ctx, storage.CredentialFilter{PendingBefore: now.Add(-s.cfg.UndeliveredGrace), Limit: storage.MaxLimit})
		if err != nil {
			return n, err
		}
		for _, c := range batch {
			var audit []storage.AuditEvent
			revoke := c.Status != storage.StatusInvalid // an operator may have revoked it already
			if revoke {
				audit = append(audit, s.event("issuer", "credential.revoke", c.ID, map[string]string{"status": StatusName(storage.StatusInvalid), "reason": "undelivered"}))
			}
			err := s.cfg.Store.UpdateCredential(ctx, c.ID, func(c *storage.Credential) error {
				if c.PendingUntil == nil || (c.Status != storage.StatusInvalid) != revoke {
					return errNothingToDo // delivered or changed meanwhile: the next pass sees it
				}
				c.PendingUntil, c.UpdatedAt, c.Status = nil, now.UTC(), storage.StatusInvalid
				return nil
			}, audit...)
			if errors.Is(err, errNothingToDo) {
				continue
			}
			if err != nil {
				return n, err
			}
			if revoke {
				s.statusTokens.Delete(c.StatusListID)
				n++
			}
		}
		if len(batch) < storage.MaxLimit {
			return n, nil
		}
	}
}

// mustVCT is the type a stored credential records: the vct, or the mdoc's docType.
func mustVCT(t credential.Type) string {
	if t == MdocMDL {
		return mdoc.DocTypeMDL
	}
	spec, _ := credential.Lookup(t)
	return spec.VCT
}

// signerFor is the key that signs configuration t.
func (s *Service) signerFor(t credential.Type) certs.Signer {
	if t == MdocMDL {
		return s.cfg.DocumentSigner
	}
	return s.cfg.Signers[t]
}

// proofDeviceKey is the mdoc device key of a proof's jwk.
func proofDeviceKey(key jwk.Key) (*ecdsa.PublicKey, error) {
	var raw any
	if err := key.Raw(&raw); err != nil {
		return nil, errf(CodeInvalidProof, "proof jwk: %v", err)
	}
	return mdocDeviceKey(raw)
}

func thumbprint(k jwk.Key) (string, error) {
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// reserve records c with a fresh random slot in the current status list, opening a new list
// when the current one is full; opt commits with it.
func (s *Service) reserve(ctx context.Context, c storage.Credential, opt storage.IssueOptions) (storage.Credential, storage.StatusList, error) {
	full := ""
	for attempt := 0; attempt < 3; attempt++ {
		list, err := s.currentList(ctx, full)
		if err != nil {
			return c, list, err
		}
		c.StatusListID = list.ID
		rec, err := s.cfg.Store.IssueCredential(ctx, c, opt)
		if err == nil {
			return rec, list, nil
		}
		if !errors.Is(err, storage.ErrConflict) {
			return c, list, err
		}
		full = list.ID
	}
	return c, storage.StatusList{}, unavailable("no status list slot available")
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
	if err := s.cfg.Store.CreateStatusList(ctx, l, s.event("issuer", "statuslist.create", l.ID, nil)); err != nil {
		return storage.StatusList{}, err
	}
	return l, nil
}

// SweepUndelivered runs RevokeUndelivered and DeleteExpiredPortraits at start and then every
// interval until ctx ends, logging what they did and any failure (the next pass retries).
func (s *Service) SweepUndelivered(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.RevokeUndelivered(ctx)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("revoking undelivered credentials failed", "err", err)
		}
		if n > 0 {
			s.cfg.Logger.Info("revoked credentials whose delivery was never confirmed before their token expired", "count", n)
		}
		n, err = s.DeleteExpiredPortraits(ctx)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("deleting expired enrolment portraits failed", "err", err)
		}
		if n > 0 {
			s.cfg.Logger.Info("deleted enrolment portraits whose licence was not issued in time", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
