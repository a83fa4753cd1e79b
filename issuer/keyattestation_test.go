package issuer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/cert"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/keyattest"
)

// The mdoc's proofs are ES256 only, and so are its key attestations: the metadata says so and
// an ES384 attestation is refused for it, while the SD-JWT configurations take ES384.
func TestKeyAttestationAlgsPerConfiguration(t *testing.T) {
	fx := newDomainFixture(t)
	wp := certstest.NewCA(t)
	fx.svc.cfg.KeyAttestation = KeyAttestationConfig{Trust: wp.TrustList(certs.PurposeWalletProvider, certs.ScopeAny),
		Required: map[string]keyattest.Policy{string(MdocMDL): {}, "mdl": {}}}
	req := map[string]any{}
	want := map[string]any{
		"jwt":         map[string]any{"proof_signing_alg_values_supported": []string{"ES256"}, "key_attestations_required": req},
		"attestation": map[string]any{"proof_signing_alg_values_supported": []string{"ES256"}, "key_attestations_required": req},
	}
	if got := fx.svc.proofTypesSupported(string(MdocMDL)); !reflect.DeepEqual(got, want) {
		t.Fatalf("mdoc proof_types_supported %v", got)
	}

	// A wallet provider with a P-384 key signs ES384.
	now := time.Now()
	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "P-384 wallet provider"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	certs.ProfileKeyAttestation.Apply(tmpl)
	leaf, err := certs.CreateCertificate(tmpl, wp.Cert, &key.PublicKey, wp.Key)
	if err != nil {
		t.Fatal(err)
	}
	h := newHolder(t)
	payload, _ := json.Marshal(map[string]any{"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "nonce": "n", "attested_keys": []jwk.Key{h.pub}})
	hdr := jws.NewHeaders()
	var chain cert.Chain
	_ = chain.AddString(certs.EncodeX5C([]*x509.Certificate{leaf})[0])
	_ = hdr.Set(jws.TypeKey, keyattest.Typ)
	_ = hdr.Set(jws.X509CertChainKey, &chain)
	att, err := jws.Sign(payload, jws.WithKey(jwa.ES384, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.verifyAttestation(context.Background(), string(att), "mdl", keyattest.Policy{}, now, true); err != nil {
		t.Fatalf("ES384 attestation for the SD-JWT licence: %v", err)
	}
	_, err = fx.svc.verifyAttestation(context.Background(), string(att), string(MdocMDL), keyattest.Policy{}, now, true)
	if e := AsError(err); e.Code != CodeInvalidProof || !strings.Contains(e.Msg, "(alg)") {
		t.Fatalf("ES384 attestation for the mdoc: %v", err)
	}
}
