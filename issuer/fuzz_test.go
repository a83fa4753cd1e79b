package issuer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// FuzzCheckProof feeds arbitrary proof JWTs to the OpenID4VCI proof checker: it must never
// panic, whatever it accepts must carry a key and a nonce, and nothing but the valid proof's
// signing input verifies. The fuzz workers run this function again and must rebuild the same
// seeds, so the holder key and the clock are fixed; only the ECDSA signature differs between
// processes, and any of the proof's own valid signatures is accepted.
func FuzzCheckProof(f *testing.F) {
	fx := newDomainFixture(f)
	scalar := sha256.Sum256([]byte("idgate FuzzCheckProof holder key"))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), scalar[:])
	if err != nil {
		f.Fatal(err)
	}
	pub, err := jwk.FromRaw(&k.PublicKey)
	if err != nil {
		f.Fatal(err)
	}
	h := holder{key: k, pub: pub}
	now := time.Unix(1_800_000_000, 0)
	good := h.proof(f, fx.url, "nonce-1", now, nil)
	signed := good[:strings.LastIndexByte(good, '.')]
	f.Add(good)
	f.Add(h.proof(f, fx.url, "nonce-1", now, func(hdr jws.Headers, _ map[string]any) { _ = hdr.Set(jws.TypeKey, "JWT") }))
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoib3BlbmlkNHZjaS1wcm9vZitqd3QifQ.e30.")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := fx.svc.checkProof(s, now)
		if err == nil && (p.key == nil || p.nonce == "") {
			t.Fatalf("accepted a proof without key or nonce: %q", s)
		}
		if err == nil && s[:strings.LastIndexByte(s, '.')] != signed {
			t.Fatalf("accepted a proof whose header or claims were mutated %q", s)
		}
	})
}

// FuzzCredentialRequest decodes arbitrary credential endpoint bodies and picks the proof and its type.
func FuzzCredentialRequest(f *testing.F) {
	f.Add([]byte(`{"credential_configuration_id":"mdl","proofs":{"jwt":["a.b.c"]}}`))
	f.Add([]byte(`{"credential_configuration_id":"mdl","proof":{"proof_type":"jwt","jwt":"a.b.c"}}`))
	f.Add([]byte(`{"proofs":{"jwt":[]},"proof":{}}`))
	f.Add([]byte(`{"credential_configuration_id":"mdl","proofs":{"attestation":["a.b.c"]}}`))
	f.Add([]byte(`{"credential_configuration_id":"mdl","proof":{"proof_type":"attestation","attestation":"a.b.c"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req CredentialRequest
		if json.Unmarshal(body, &req) != nil {
			return
		}
		kind, p, err := req.keyProof()
		if err == nil && p == "" && req.Proof == nil && req.Proofs == nil {
			t.Fatal("a proof picked from a request without one")
		}
		if err == nil && kind != proofTypeJWT && kind != proofTypeAttestation {
			t.Fatalf("proof type %q", kind)
		}
	})
}
