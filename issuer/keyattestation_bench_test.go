package issuer

import (
	"crypto"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/keyattest"
)

// BenchmarkKeyProof is the credential endpoint's proof check with and without a required key
// attestation (in the jwt proof's header, and as the attestation proof type), in one run so
// the ratio holds on a noisy machine.
func BenchmarkKeyProof(b *testing.B) {
	fx := newDomainFixture(b)
	wp := certstest.NewCA(b)
	provider := wp.Issue(b, "wallet provider", certstest.WithProfile(certs.ProfileKeyAttestation))
	fx.svc.cfg.KeyAttestation = KeyAttestationConfig{Trust: wp.TrustList(certs.PurposeWalletProvider, certs.ScopeAny),
		Required: map[string]keyattest.Policy{"mdl": {KeyStorage: []string{keyattest.ISO18045High}}}}
	h := newHolder(b)
	now := time.Now()
	att, err := keyattest.Issue(provider, keyattest.Claims{IssuedAt: now, ExpiresAt: now.Add(time.Hour), Nonce: "n",
		AttestedKeys: []crypto.PublicKey{&h.key.PublicKey}, KeyStorage: []string{keyattest.ISO18045High}})
	if err != nil {
		b.Fatal(err)
	}
	plain := h.proof(b, fx.url, "n", now, nil)
	attested := h.proof(b, fx.url, "n", now, func(hdr jws.Headers, _ map[string]any) { _ = hdr.Set("key_attestation", att) })
	for _, bc := range []struct {
		name, config string
		req          CredentialRequest
	}{
		{"jwt", "employee-id", CredentialRequest{Proofs: &KeyProofs{JWT: []string{plain}}}},
		{"jwt+key_attestation", "mdl", CredentialRequest{Proofs: &KeyProofs{JWT: []string{attested}}}},
		{"attestation", "mdl", CredentialRequest{Proofs: &KeyProofs{Attestation: []string{att}}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := fx.svc.keyProof(b.Context(), bc.req, bc.config, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
