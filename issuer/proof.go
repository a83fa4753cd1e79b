package issuer

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/keyattest"
)

// ProofTyp is the JOSE typ of an OpenID4VCI key proof.
const ProofTyp = "openid4vci-proof+jwt"

var proofAlgs = []jwa.SignatureAlgorithm{jwa.ES256, jwa.ES384, jwa.ES512, jwa.EdDSA}

// maxProofBytes bounds a proof JWT; one may carry a key attestation in its header.
const maxProofBytes = 32 << 10

type checkedProof struct {
	key            jwk.Key
	nonce          string
	keyAttestation string                 // the key_attestation header, unverified
	attestation    *keyattest.Attestation // the verified key attestation, where one is required
}

// checkProof verifies an OpenID4VCI proof JWT (§F.1): typ, an allowed asymmetric alg, the
// holder's public key in the jwk header, the signature, aud = this issuer and a fresh iat.
// The nonce is returned for the caller to check against its single-use c_nonces.
func (s *Service) checkProof(compact string, now time.Time) (checkedProof, error) {
	bad := func(format string, args ...any) (checkedProof, error) {
		return checkedProof{}, errf(CodeInvalidProof, format, args...)
	}
	if len(compact) == 0 || len(compact) > maxProofBytes {
		return bad("proof size")
	}
	msg, err := jws.Parse([]byte(compact))
	if err != nil || len(msg.Signatures()) != 1 {
		return bad("proof is not a compact JWS")
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	if h.Type() != ProofTyp {
		return bad("proof typ must be %s", ProofTyp)
	}
	if !slices.Contains(proofAlgs, h.Algorithm()) {
		return bad("proof alg %q not allowed", h.Algorithm())
	}
	key := h.JWK()
	if key == nil {
		return bad("proof must carry the holder key in jwk")
	}
	if h.KeyID() != "" || h.X509CertChain() != nil {
		return bad("proof must name the key with jwk only")
	}
	if isPrivate(key) {
		return bad("proof jwk must be a public key")
	}
	var keyAttestation string
	if v, ok := h.Get("key_attestation"); ok {
		if keyAttestation, ok = v.(string); !ok || keyAttestation == "" {
			return bad("proof key_attestation header must be a key attestation JWT")
		}
	}
	payload, err := jws.Verify([]byte(compact), jws.WithKey(h.Algorithm(), key))
	if err != nil {
		return bad("proof signature invalid")
	}
	var c struct {
		Aud   json.RawMessage `json:"aud"`
		Iat   *json.Number    `json:"iat"`
		Nonce string          `json:"nonce"`
	}
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		return bad("proof claims are not a JSON object")
	}
	if !audIncludes(c.Aud, s.cfg.PublicURL) {
		return bad("proof aud must be %s", s.cfg.PublicURL)
	}
	if c.Iat == nil {
		return bad("proof iat is required")
	}
	iat, err := c.Iat.Int64()
	if err != nil {
		return bad("proof iat is not a NumericDate")
	}
	t := time.Unix(iat, 0)
	if t.After(now.Add(time.Minute)) || now.Sub(t) > s.cfg.ProofMaxAge {
		return bad("proof iat is not fresh")
	}
	if c.Nonce == "" {
		return checkedProof{}, errf(CodeInvalidNonce, "proof nonce is required")
	}
	return checkedProof{key: key, nonce: c.Nonce, keyAttestation: keyAttestation}, nil
}

func isPrivate(k jwk.Key) bool {
	switch k.(type) {
	case jwk.ECDSAPrivateKey, jwk.RSAPrivateKey, jwk.OKPPrivateKey, jwk.SymmetricKey:
		return true
	}
	return false
}

func audIncludes(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return slices.Contains(many, want)
	}
	return false
}
