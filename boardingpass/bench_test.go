package boardingpass

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(vecIATA2); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	p := mustParse(b, vecIATA2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is the gate's hot path: parse + ES256 verify of a two-leg signed pass.
func BenchmarkVerify(b *testing.B) {
	ac := validAirline(b, "AC")
	keys := keysFor(map[string]*airline{"AC": ac})
	s, err := Sign(unsignedOf(vecIATA2), ac)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(s, keys, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkECDSAVerifyRaw is the floor: SHA-256 plus ecdsa.VerifyASN1 alone.
func BenchmarkECDSAVerifyRaw(b *testing.B) {
	ac := validAirline(b, "AC")
	msg := []byte(unsignedOf(vecIATA2))
	d := sha256.Sum256(msg)
	sig, err := ac.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		b.Fatal(err)
	}
	pub := ac.cert.PublicKey.(*ecdsa.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(msg)
		if !ecdsa.VerifyASN1(pub, d[:], sig) {
			b.Fatal("verify")
		}
	}
}
