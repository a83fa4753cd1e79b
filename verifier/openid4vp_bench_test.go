package verifier

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	"github.com/idgate/idgate/internal/cpuratio"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/verifier/vpstore"
)

// directPostJWT is one transaction's record and a wallet's encrypted response to it.
type directPostJWT struct {
	vp   *VP
	rec  *vpRecord
	form map[string][]string
}

func newDirectPostJWT(b *testing.B) *directPostJWT {
	env := credentialtest.New(b)
	cv, err := credential.NewVerifier(credential.VerifierConfig{Trust: env.Trust, Status: env.CachingChecker(time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	vp, err := NewVP(VPConfig{Credentials: cv, Store: vpstore.NewMemory(nil), BaseURL: "https://rp.example",
		Signer: env.CA.Issue(b, "rp", certstest.WithDNS("rp.example"), certstest.WithProfile(certs.ProfileRequestSigner))})
	if err != nil {
		b.Fatal(err)
	}
	q, _ := QueryFromClaims(credential.VCTDrivingLicence, []string{"age_over_19", "photo_ref"})
	c, err := vp.Create(context.Background(), "bench", q)
	if err != nil {
		b.Fatal(err)
	}
	t, rec, err := vp.open(context.Background(), c.ID)
	if err != nil || t == nil {
		b.Fatal(err)
	}
	key, err := oid4vp.ParseEncryptionKey(rec.Key)
	if err != nil {
		b.Fatal(err)
	}
	h := env.Issue(b, credentialtest.IssueOpts{})
	pres := h.Present(b, []string{"age_over_19", "photo_ref"}, vp.ClientID(), rec.Nonce, time.Now())
	form, err := (&oid4vp.Response{VPToken: oid4vp.VPToken{"credential": {pres}}, State: rec.State}).EncryptedForm(key.PublicJWK(), oid4vp.EncA256GCM)
	if err != nil {
		b.Fatal(err)
	}
	return &directPostJWT{vp: vp, rec: rec, form: form}
}

// verify is the verifier's whole work on one response short of the store's single-use
// update: load the stored key, decrypt (ECDH-ES, A256GCM), decode, state, issuer signature and chain, KB-JWT,
// disclosures, status (list cached), DCQL.
func (d *directPostJWT) verify(ctx context.Context) error {
	key, err := oid4vp.ParseDecryptionKey(d.rec.Key)
	if err != nil {
		return err
	}
	resp, err := oid4vp.DecodeResponse(d.form, oid4vp.DecodeOptions{Mode: oid4vp.ModeDirectPostJWT, Key: key})
	if err != nil {
		return err
	}
	out, err := d.vp.check(ctx, d.rec, resp)
	if err == nil && !json.Valid(out) {
		err = errBench
	}
	return err
}

var errBench = &Error{Code: "internal", Msg: "bench"}

// rawDirectPostJWT is the public-key work a direct_post.jwt response cannot avoid: one P-256
// ECDH (the JWE key agreement) and two ECDSA verifications (issuer signature, KB-JWT).
func rawDirectPostJWT() func() bool {
	priv, _ := ecdh.P256().GenerateKey(rand.Reader)
	eph, _ := ecdh.P256().GenerateKey(rand.Reader)
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	m1, m2 := make([]byte, 1500), make([]byte, 300)
	d1, d2 := sha256.Sum256(m1), sha256.Sum256(m2)
	s1, _ := ecdsa.SignASN1(rand.Reader, k1, d1[:])
	s2, _ := ecdsa.SignASN1(rand.Reader, k2, d2[:])
	return func() bool {
		if _, err := priv.ECDH(eph.PublicKey()); err != nil {
			return false
		}
		d1, d2 := sha256.Sum256(m1), sha256.Sum256(m2)
		return ecdsa.VerifyASN1(&k1.PublicKey, d1[:], s1) && ecdsa.VerifyASN1(&k2.PublicKey, d2[:], s2)
	}
}

// BenchmarkDirectPostJWTRatio interleaves one direct_post.jwt verification and its raw
// public-key work per iteration, so load from other processes hits both alike, and reports
// ratio = verify / raw in wall time and in thread CPU time (goal: <= 1.25).
func BenchmarkDirectPostJWTRatio(b *testing.B) {
	d := newDirectPostJWT(b)
	ctx := context.Background()
	if err := d.verify(ctx); err != nil {
		b.Fatal(err)
	}
	raw := rawDirectPostJWT()
	cpuratio.Run(b, func() error { return d.verify(ctx) }, raw, "verify-ns/op", "raw-ns/op")
}
