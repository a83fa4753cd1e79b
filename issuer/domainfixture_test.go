package issuer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage/memory"
)

// domainFixture is a Service over a memory store with an in-process test CA, without HTTP
// (package issuerhttp tests the HTTP API).
type domainFixture struct {
	svc *Service
	url string
}

func newDomainFixture(t testing.TB) *domainFixture {
	t.Helper()
	f := &domainFixture{url: "https://issuer.example"}
	ca := certstest.NewCA(t)
	svc, err := New(Config{
		Store: memory.New(), PublicURL: f.url,
		Signers: map[credential.Type]certs.Signer{
			credential.EmployeeID:     ca.Issue(t, "idgate Employee ID Issuer", certstest.WithURI(f.url)),
			credential.DrivingLicence: ca.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(f.url)),
		},
		StatusSigner: ca.Issue(t, "idgate Status List Signer", certstest.WithURI(f.url)),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

// holder is a wallet's device key.
type holder struct {
	key *ecdsa.PrivateKey
	pub jwk.Key
}

func newHolder(t testing.TB) holder {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := jwk.FromRaw(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return holder{key: k, pub: pub}
}

// proof builds an OpenID4VCI proof JWT; mod may change header or claims before signing.
func (h holder) proof(t testing.TB, aud, nonce string, iat time.Time, mod func(hdr jws.Headers, claims map[string]any)) string {
	t.Helper()
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, ProofTyp)
	_ = hdr.Set(jws.JWKKey, h.pub)
	claims := map[string]any{"aud": aud, "iat": iat.Unix(), "nonce": nonce}
	if mod != nil {
		mod(hdr, claims)
	}
	payload, _ := json.Marshal(claims)
	out, err := jws.Sign(payload, jws.WithKey(jwa.ES256, h.key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
