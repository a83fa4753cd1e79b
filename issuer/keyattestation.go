package issuer

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/keyattest"
)

// KeyAttestationConfig makes the issuer require OpenID4VCI key attestations (Appendix D) for
// some credential configurations: the holder key must be attested by a wallet provider the
// issuer trusts, with the key storage and user authentication levels it accepts.
type KeyAttestationConfig struct {
	// Trust holds the wallet providers whose attestations are accepted
	// (certs.PurposeWalletProvider). Required when Required is not empty.
	Trust *certs.TrustList
	// Status checks the status list an attestation names (a statuslist.Checker); nil refuses
	// the attestations that name one.
	Status keyattest.StatusChecker
	// Required maps a credential configuration id to what it accepts: the key_storage and
	// user_authentication values (keyattest.AtLeast), empty lists for any attestation. A
	// configuration not listed takes jwt proofs without attestation.
	Required map[string]keyattest.Policy
}

// The proof types of OpenID4VCI 1.0 Appendix F that the issuer takes.
const (
	proofTypeJWT         = "jwt"
	proofTypeAttestation = "attestation"
)

func (c *KeyAttestationConfig) check(known func(string) bool) error {
	for id, p := range c.Required {
		if !known(id) {
			return fmt.Errorf("%w: key attestation required for unknown credential configuration %q", ErrConfig, id)
		}
		for _, l := range [][]string{p.KeyStorage, p.UserAuthentication} {
			if slices.Contains(l, "") {
				return fmt.Errorf("%w: %s: an empty key attestation level", ErrConfig, id)
			}
		}
	}
	if len(c.Required) > 0 && c.Trust == nil {
		return fmt.Errorf("%w: key attestations are required but no wallet provider is trusted (KeyAttestation.Trust)", ErrConfig)
	}
	return nil
}

// keyAttestationsRequired is the key_attestations_required metadata of a configuration
// (OpenID4VCI 1.0 §12.2.4), nil when it requires none.
func (s *Service) keyAttestationsRequired(configID string) map[string]any {
	p, ok := s.cfg.KeyAttestation.Required[configID]
	if !ok {
		return nil
	}
	out := map[string]any{}
	if len(p.KeyStorage) > 0 {
		out["key_storage"] = p.KeyStorage
	}
	if len(p.UserAuthentication) > 0 {
		out["user_authentication"] = p.UserAuthentication
	}
	return out
}

// proofTypesSupported is a configuration's proof_types_supported: jwt, and where key
// attestations are required, with key_attestations_required and the attestation proof type.
func (s *Service) proofTypesSupported(configID string) map[string]any {
	accepted := s.proofAlgsFor(configID)
	algs := make([]string, len(accepted))
	for i, a := range accepted {
		algs[i] = a.String()
	}
	jwtType := map[string]any{"proof_signing_alg_values_supported": algs}
	req := s.keyAttestationsRequired(configID)
	if req == nil {
		return map[string]any{proofTypeJWT: jwtType}
	}
	jwtType["key_attestations_required"] = req
	return map[string]any{
		proofTypeJWT:         jwtType,
		proofTypeAttestation: map[string]any{"proof_signing_alg_values_supported": algs, "key_attestations_required": req},
	}
}

// proofAlgsFor is a configuration's proof_signing_alg_values_supported: ES256 alone for the mdoc
// (its proven key becomes the P-256 device key), else proofAlgs. A key attestation's alg must
// be one of them too (OpenID4VCI 1.0 Appendix F.1).
func (s *Service) proofAlgsFor(configID string) []jwa.SignatureAlgorithm {
	if configID == string(MdocMDL) {
		return []jwa.SignatureAlgorithm{jwa.ES256}
	}
	return proofAlgs
}

// keyProof checks the request's key proof for configuration configID: a jwt proof, carrying
// a key attestation of its key where the configuration requires one, or an attestation
// proof. It returns the key to bind and the nonce to check.
func (s *Service) keyProof(ctx context.Context, req CredentialRequest, configID string, now time.Time) (checkedProof, error) {
	kind, value, err := req.keyProof()
	if err != nil {
		return checkedProof{}, err
	}
	policy, required := s.cfg.KeyAttestation.Required[configID]
	if kind == proofTypeAttestation {
		if !required {
			return checkedProof{}, errf(CodeInvalidProof, "the attestation proof type is not accepted for this credential configuration: send a jwt proof")
		}
		a, err := s.verifyAttestation(ctx, value, configID, policy, now, false)
		if err != nil {
			return checkedProof{}, err
		}
		if len(a.AttestedKeys) != 1 {
			return checkedProof{}, errf(CodeInvalidProof, "an attestation proof must attest exactly one key: one credential is issued per request")
		}
		if !bindable(a.AttestedKeys[0]) {
			return checkedProof{}, errf(CodeInvalidProof, "the attested key must be an EC (P-256, P-384, P-521) or Ed25519 key, as a jwt proof's")
		}
		if a.Nonce == "" {
			return checkedProof{}, errf(CodeInvalidNonce, "key attestation nonce is required")
		}
		return checkedProof{key: a.AttestedKeys[0], nonce: a.Nonce, attestation: a}, nil
	}
	p, err := s.checkProof(value, now)
	if err != nil || !required {
		// Where no attestation is required, a key_attestation header is not evaluated.
		return p, err
	}
	if p.keyAttestation == "" {
		return checkedProof{}, errf(CodeInvalidProof, "this credential configuration requires a key attestation: send it in the key_attestation header of the jwt proof, or as an attestation proof")
	}
	a, err := s.verifyAttestation(ctx, p.keyAttestation, configID, policy, now, true)
	if err != nil {
		return checkedProof{}, err
	}
	if !a.Attests(p.key) {
		return checkedProof{}, errf(CodeInvalidProof, "the proof key is not one of the attested_keys of the key attestation")
	}
	if a.Nonce != p.nonce {
		return checkedProof{}, errf(CodeInvalidProof, "the key attestation nonce must be the c_nonce of the proof")
	}
	p.attestation = a
	return p, nil
}

// bindable reports whether k is a key a jwt proof could be signed with (proofAlgs): the keys
// the issuer binds credentials to.
func bindable(k jwk.Key) bool {
	var raw any
	if k.Raw(&raw) != nil {
		return false
	}
	switch raw.(type) {
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return true
	}
	return false
}

// verifyAttestation verifies a key attestation against the trusted wallet providers and the
// configuration's policy; every refusal is invalid_proof naming the property that failed.
func (s *Service) verifyAttestation(ctx context.Context, compact, configID string, policy keyattest.Policy, now time.Time, inJWTProof bool) (*keyattest.Attestation, error) {
	a, err := keyattest.Verify(ctx, []byte(compact), keyattest.VerifyOptions{
		Trust: s.cfg.KeyAttestation.Trust, Status: s.cfg.KeyAttestation.Status, Now: now,
		Algs: s.proofAlgsFor(configID), RequireExp: inJWTProof, MaxAge: s.cfg.ProofMaxAge,
	})
	if err == nil {
		err = policy.Check(a)
	}
	if err != nil {
		var ke *keyattest.Error
		if errors.As(err, &ke) {
			return nil, &Error{Code: CodeInvalidProof, Msg: "key attestation refused (" + ke.Code + "): " + ke.Detail, Err: err}
		}
		return nil, &Error{Code: CodeInvalidProof, Msg: "key attestation refused", Err: err}
	}
	return a, nil
}
