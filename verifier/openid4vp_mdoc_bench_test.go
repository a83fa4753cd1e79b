package verifier

import (
	"context"
	"testing"
	"time"

	"github.com/idgate/idgate/internal/cpuratio"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/verifier/vpstore"
)

// newMDocDirectPostJWT is one transaction for two mDL elements and a wallet's encrypted
// response carrying the DeviceResponse.
func newMDocDirectPostJWT(b *testing.B) *directPostJWT {
	env := credentialtest.New(b)
	a := newMDocAuthority(b, "UT")
	vp, err := NewVP(VPConfig{Credentials: env.Verifier(b), Store: vpstore.NewMemory(nil), BaseURL: "https://rp.example",
		MDoc:   &MDocConfig{Trust: a.trustList(), Status: env.CachingChecker(time.Hour)},
		Signer: env.CA.Issue(b, "rp", certstest.WithDNS("rp.example"), certstest.WithProfile(certs.ProfileRequestSigner))})
	if err != nil {
		b.Fatal(err)
	}
	q, err := oid4vp.ParseQuery([]byte(`{"credentials":[{"id":"mdl","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},
		"claims":[{"path":["org.iso.18013.5.1","age_over_19"]},{"path":["org.iso.18013.5.1","family_name"]}]}]}`))
	if err != nil {
		b.Fatal(err)
	}
	c, err := vp.Create(context.Background(), "bench", q)
	if err != nil {
		b.Fatal(err)
	}
	_, rec, err := vp.open(context.Background(), c.ID)
	if err != nil {
		b.Fatal(err)
	}
	key, err := oid4vp.ParseEncryptionKey(rec.Key)
	if err != nil {
		b.Fatal(err)
	}
	st, err := oid4vp.SessionTranscript(vp.ClientID(), rec.Nonce, key.Thumbprint(), rec.ResponseURI)
	if err != nil {
		b.Fatal(err)
	}
	pres := a.issue(b, env, nil).present(b, st, "age_over_19", "family_name")
	form, err := (&oid4vp.Response{VPToken: oid4vp.VPToken{"mdl": {pres}}, State: rec.State}).EncryptedForm(key.PublicJWK(), oid4vp.EncA256GCM)
	if err != nil {
		b.Fatal(err)
	}
	return &directPostJWT{vp: vp, rec: rec, form: form}
}

// BenchmarkMDocDirectPostJWTRatio is BenchmarkDirectPostJWTRatio for an mdoc: one
// direct_post.jwt response with a DeviceResponse of two elements (decrypt, strict CBOR decode,
// DS chain, issuerAuth signature, digests, SessionTranscript, device signature, status from
// the cached list, DCQL) against the same raw public-key work, one P-256 ECDH and two ECDSA
// verifications (issuerAuth, deviceSignature), interleaved per iteration.
func BenchmarkMDocDirectPostJWTRatio(b *testing.B) {
	d := newMDocDirectPostJWT(b)
	ctx := context.Background()
	if err := d.verify(ctx); err != nil {
		b.Fatal(err)
	}
	raw := rawDirectPostJWT()
	cpuratio.Run(b, func() error { return d.verify(ctx) }, raw, "verify-ns/op", "raw-ns/op")
}
