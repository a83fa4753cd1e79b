package es256

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"os"
	"strings"
	"testing"
)

// rfcKey is RFC 9901 Appendix A.5's issuer key, which signed the RFC's examples.
func rfcKey(t testing.TB) *ecdsa.PublicKey {
	t.Helper()
	x, _ := base64.RawURLEncoding.DecodeString("b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ")
	y, _ := base64.RawURLEncoding.DecodeString("Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8")
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// rfcVectors returns (digest, signature) of the issuer-signed JWT of each RFC 9901 example in
// sdjwt/testdata: published ES256 signatures.
func rfcVectors(t testing.TB) (digests, sigs [][]byte) {
	t.Helper()
	for _, f := range []string{"rfc9901_section5_1.txt", "rfc9901_appendix_a1.txt", "rfc9901_appendix_a2.txt", "rfc9901_appendix_a4_kb.txt"} {
		b, err := os.ReadFile("../../sdjwt/testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		jwt, _, _ := strings.Cut(strings.TrimSpace(string(b)), "~")
		i := strings.LastIndexByte(jwt, '.')
		sig, err := base64.RawURLEncoding.DecodeString(jwt[i+1:])
		if err != nil || len(sig) != 64 {
			t.Fatalf("%s: signature: %v", f, err)
		}
		d := sha256.Sum256([]byte(jwt[:i]))
		digests, sigs = append(digests, d[:]), append(sigs, sig)
	}
	return digests, sigs
}

func TestRFC9901Vectors(t *testing.T) {
	k, err := Precompute(rfcKey(t))
	if err != nil {
		t.Fatal(err)
	}
	digests, sigs := rfcVectors(t)
	for i := range digests {
		if !k.VerifyES256(digests[i], sigs[i]) {
			t.Fatalf("vector %d: published signature rejected", i)
		}
		bad := append([]byte(nil), sigs[i]...)
		bad[63] ^= 1
		if k.VerifyES256(digests[i], bad) {
			t.Fatalf("vector %d: altered signature accepted", i)
		}
	}
}

// stdVerify is the oracle: crypto/ecdsa on the same inputs.
func stdVerify(pub *ecdsa.PublicKey, digest, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	return ecdsa.Verify(pub, digest, new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
}

func raw(r, s *big.Int) []byte {
	b := make([]byte, 64)
	r.FillBytes(b[:32])
	s.FillBytes(b[32:])
	return b
}

// TestMatchesCryptoECDSA compares Verify with crypto/ecdsa on valid signatures, each one
// altered, and the range edges of r and s.
func TestMatchesCryptoECDSA(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k, err := Precompute(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	n := order
	nMinus1 := new(big.Int).Sub(n, big.NewInt(1))
	check := func(name string, digest, sig []byte) {
		t.Helper()
		if got, want := k.VerifyES256(digest, sig), stdVerify(&priv.PublicKey, digest, sig); got != want {
			t.Fatalf("%s: es256 %v, crypto/ecdsa %v", name, got, want)
		}
	}
	digests := [][]byte{
		make([]byte, 32),                   // e = 0: u1 = 0
		n.FillBytes(make([]byte, 32)),      // e = n ≡ 0
		[]byte(strings.Repeat("\xff", 32)), // e > n
		[]byte("short digest"),
		[]byte(strings.Repeat("\xab", 48)), // truncated to 32 bytes
		{},
	}
	for i := range 300 {
		d := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		digests = append(digests, d[:])
	}
	for i, digest := range digests {
		r, s, err := ecdsa.Sign(rand.Reader, priv, digest)
		if err != nil {
			t.Fatal(err)
		}
		sig := raw(r, s)
		if !k.VerifyES256(digest, sig) {
			t.Fatalf("digest %d: valid signature rejected", i)
		}
		check("high s", digest, raw(r, new(big.Int).Sub(n, s)))
		for _, bit := range []int{0, 7, 255, 256, 511} {
			bad := append([]byte(nil), sig...)
			bad[bit/8] ^= 1 << (bit % 8)
			check("flipped bit", digest, bad)
		}
		if len(digest) > 0 {
			bad := append([]byte(nil), digest...)
			bad[0] ^= 0x80
			check("other digest", bad, sig)
		}
		ro, so, _ := ecdsa.Sign(rand.Reader, other, digest)
		check("other key", digest, raw(ro, so))
	}
	d := sha256.Sum256([]byte("edges"))
	r, s, _ := ecdsa.Sign(rand.Reader, priv, d[:])
	for name, rs := range map[string][2]*big.Int{
		"r=0": {big.NewInt(0), s}, "s=0": {r, big.NewInt(0)}, "r=n": {n, s}, "s=n": {r, n},
		"r=n-1": {nMinus1, s}, "s=n-1": {r, nMinus1}, "r+n": {new(big.Int).Add(r, n), s},
	} {
		if rs[0].BitLen() > 256 || rs[1].BitLen() > 256 {
			continue // not representable in 32 bytes: VerifyES256 sees only 64-byte r||s
		}
		check(name, d[:], raw(rs[0], rs[1]))
	}
	for _, l := range []int{0, 63, 65} {
		if k.VerifyES256(d[:], make([]byte, l)) {
			t.Fatalf("%d-byte signature accepted", l)
		}
	}
}

func TestPrecomputeRejects(t *testing.T) {
	if _, err := Precompute(nil); err != ErrKey {
		t.Fatalf("nil key: %v", err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := Precompute(&p384.PublicKey); err != ErrKey {
		t.Fatalf("P-384 key: %v", err)
	}
	//lint:ignore SA1019 an off-curve key (which Precompute must refuse) can only be built from raw coordinates
	bad := &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}
	if _, err := Precompute(bad); err != ErrKey {
		t.Fatalf("off-curve key: %v", err)
	}
}

// FuzzVerify checks that Verify agrees with crypto/ecdsa on arbitrary digests and signatures
// under the RFC 9901 A.5 key, seeded with the RFC's published signatures.
func FuzzVerify(f *testing.F) {
	digests, sigs := rfcVectors(f)
	for i := range digests {
		f.Add(digests[i], sigs[i])
	}
	f.Add([]byte{}, make([]byte, 64))
	pub := rfcKey(f)
	k, err := Precompute(pub)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, digest, sig []byte) {
		if got, want := k.VerifyES256(digest, sig), stdVerify(pub, digest, sig); got != want {
			t.Fatalf("es256 %v, crypto/ecdsa %v", got, want)
		}
	})
}

// BenchmarkVerify compares a verification under a precomputed key with crypto/ecdsa's on the
// same signature (interleaved sub-benchmarks: compare their ratio within one run).
func BenchmarkVerify(b *testing.B) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k, err := Precompute(&priv.PublicKey)
	if err != nil {
		b.Fatal(err)
	}
	d := sha256.Sum256([]byte("benchmark"))
	r, s, _ := ecdsa.Sign(rand.Reader, priv, d[:])
	sig := raw(r, s)
	b.Run("precomputed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !k.VerifyES256(d[:], sig) {
				b.Fatal("rejected")
			}
		}
	})
	b.Run("crypto-ecdsa", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !ecdsa.Verify(&priv.PublicKey, d[:], r, s) {
				b.Fatal("rejected")
			}
		}
	})
}

func BenchmarkPrecompute(b *testing.B) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for b.Loop() {
		if _, err := Precompute(&priv.PublicKey); err != nil {
			b.Fatal(err)
		}
	}
}
