package sdjwt

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

// benchPresentation issues a credential with 15 SD claims, presents 3 and
// adds a KB-JWT: the per-passenger load at the gate.
func benchPresentation(b *testing.B) (string, VerifyOptions) {
	issuer, holder := newP256(b), newP256(b)
	claims := map[string]any{"iss": "https://issuer.example", "iat": 1683000000, "exp": 1883000000,
		"vct": "urn:eudi:pid:1", "cnf": holderJWK(holder)}
	var paths []string
	for i := range 15 {
		name := fmt.Sprintf("claim_%02d", i)
		claims[name] = fmt.Sprintf("value number %d of the credential", i)
		paths = append(paths, "/"+name)
	}
	s, err := Issue(claims, paths, IssueOptions{Signer: issuer, Header: map[string]any{"typ": "dc+sd-jwt"}})
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := Parse(s)
	p, err := tok.Present([]string{"/claim_00", "/claim_07", "/claim_14"})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	kb, err := AddKeyBinding(p.String(), holder, jwa.ES256, "https://gate.example", "nonce-1", now)
	if err != nil {
		b.Fatal(err)
	}
	return kb, VerifyOptions{IssuerKey: fixedKey(issuer.Public()),
		KeyBinding: &KBOptions{Required: true, Audience: "https://gate.example", Nonce: "nonce-1", Now: now}}
}

func BenchmarkVerify(b *testing.B) {
	s, opts := benchPresentation(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(s, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// rawPair is two JWS-sized inputs signed by two keys: the crypto floor.
type rawPair struct {
	k1, k2   *ecdsa.PublicKey
	in1, in2 []byte
	r1, s1   *big.Int
	r2, s2   *big.Int
}

func newRawPair(b *testing.B, s string) *rawPair {
	k1, k2 := newP256(b), newP256(b)
	p := &rawPair{k1: &k1.PublicKey, k2: &k2.PublicKey, in1: []byte(s[:len(s)/2]), in2: []byte(s[len(s)-300:])}
	sign := func(k *ecdsa.PrivateKey, in []byte) (*big.Int, *big.Int) {
		d := sha256.Sum256(in)
		r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
		if err != nil {
			b.Fatal(err)
		}
		return r, s
	}
	p.r1, p.s1 = sign(k1, p.in1)
	p.r2, p.s2 = sign(k2, p.in2)
	return p
}

func (p *rawPair) verify() bool {
	d1 := sha256.Sum256(p.in1)
	d2 := sha256.Sum256(p.in2)
	return ecdsa.Verify(p.k1, d1[:], p.r1, p.s1) && ecdsa.Verify(p.k2, d2[:], p.r2, p.s2)
}

// BenchmarkRawES256x2 is the floor: hash + ecdsa.Verify for two JWS-sized
// inputs (issuer JWT and KB-JWT), nothing else.
func BenchmarkRawES256x2(b *testing.B) {
	s, _ := benchPresentation(b)
	p := newRawPair(b, s)
	b.ReportAllocs()
	for b.Loop() {
		if !p.verify() {
			b.Fatal("verify")
		}
	}
}

// BenchmarkVerifyRatio interleaves Verify and the raw floor in one loop so
// that load from other processes on the shared machine hits both alike, and
// reports their ratio (goal: <= 1.2).
func BenchmarkVerifyRatio(b *testing.B) {
	s, opts := benchPresentation(b)
	p := newRawPair(b, s)
	var full, raw time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := Verify(s, opts); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if !p.verify() {
			b.Fatal("verify")
		}
		full += t1.Sub(t0)
		raw += time.Since(t1)
	}
	b.ReportMetric(float64(full)/float64(b.N), "verify-ns/op")
	b.ReportMetric(float64(raw)/float64(b.N), "raw2-ns/op")
	b.ReportMetric(float64(full)/float64(raw), "ratio")
}
