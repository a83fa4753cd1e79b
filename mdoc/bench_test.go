package mdoc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/idgate/idgate/internal/cpuratio"
)

// benchSetup is a two-element mDL presentation and its verifier, warmed (trust-list chain cache
// and precomputed DS key, as in steady state).
func benchSetup(b *testing.B) (*Verifier, []byte, VerifyOptions) {
	f := newFixture(b)
	st := transcript(b, "bench")
	resp := f.present(b, f.issue(b), st)
	v := f.verifier()
	opts := VerifyOptions{DocType: DocTypeMDL, SessionTranscript: st}
	if _, err := v.Verify(resp, opts); err != nil {
		b.Fatal(err)
	}
	return v, resp, opts
}

// BenchmarkVerifyDeviceResponse is a reader's whole check of a two-element mDL DeviceResponse.
func BenchmarkVerifyDeviceResponse(b *testing.B) {
	v, resp, opts := benchSetup(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Verify(resp, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// rawES256x2 is the unavoidable public-key work of one response: two P-256 ECDSA verifications
// with crypto/ecdsa (issuerAuth over an MSO-sized message, deviceSignature over a
// DeviceAuthentication-sized one).
func rawES256x2() func() bool {
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	m1, m2 := make([]byte, 1000), make([]byte, 120)
	d1, d2 := sha256.Sum256(m1), sha256.Sum256(m2)
	s1, _ := ecdsa.SignASN1(rand.Reader, k1, d1[:])
	s2, _ := ecdsa.SignASN1(rand.Reader, k2, d2[:])
	return func() bool {
		d1, d2 := sha256.Sum256(m1), sha256.Sum256(m2)
		return ecdsa.VerifyASN1(&k1.PublicKey, d1[:], s1) && ecdsa.VerifyASN1(&k2.PublicKey, d2[:], s2)
	}
}

// BenchmarkVerifyDeviceResponseRatio interleaves one DeviceResponse verification and the raw
// public-key floor per iteration, so load from other processes hits both alike, and reports
// ratio = verify / raw in wall time and in thread CPU time (goal: <= 1.2).
func BenchmarkVerifyDeviceResponseRatio(b *testing.B) {
	v, resp, opts := benchSetup(b)
	raw := rawES256x2()
	cpuratio.Run(b, func() error { _, err := v.Verify(resp, opts); return err }, raw, "verify-ns/op", "raw2-ns/op")
}
