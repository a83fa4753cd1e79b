package issuer

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
)

// FuzzCheckProof feeds arbitrary proof JWTs to the OpenID4VCI proof checker: it must never
// panic, and whatever it accepts must carry a key and a nonce.
func FuzzCheckProof(f *testing.F) {
	fx := newDomainFixture(f)
	h := newHolder(f)
	now := time.Now()
	good := h.proof(f, fx.url, "nonce-1", now, nil)
	f.Add(good)
	f.Add(h.proof(f, fx.url, "nonce-1", now, func(hdr jws.Headers, _ map[string]any) { _ = hdr.Set(jws.TypeKey, "JWT") }))
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoib3BlbmlkNHZjaS1wcm9vZitqd3QifQ.e30.")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := fx.svc.checkProof(s, now)
		if err == nil && (p.key == nil || p.nonce == "") {
			t.Fatalf("accepted a proof without key or nonce: %q", s)
		}
		if err == nil && s != good {
			// Only a re-encoding of the same signed proof could verify; none is possible with
			// ES256 over the exact compact bytes.
			t.Fatalf("accepted a mutated proof %q", s)
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
