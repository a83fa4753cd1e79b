package sdjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jws"
)

// RFC 9901 Appendix A.5: the issuer key used by all examples (public part).
func rfcIssuerKey(t testing.TB) *ecdsa.PublicKey {
	t.Helper()
	return pubFromJWKCoords(t, "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ", "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8")
}

func pubFromJWKCoords(t testing.TB, x, y string) *ecdsa.PublicKey {
	t.Helper()
	xb, err1 := b64.DecodeString(x)
	yb, err2 := b64.DecodeString(y)
	if err1 != nil || err2 != nil {
		t.Fatal("bad coordinates")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, xb...), yb...))
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// holderJWK is a cnf claim carrying k's public JWK.
func holderJWK(k *ecdsa.PrivateKey) map[string]any {
	pt, err := k.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		panic(err)
	}
	return map[string]any{"jwk": map[string]any{"kty": "EC", "crv": "P-256",
		"x": b64.EncodeToString(pt[1:33]), "y": b64.EncodeToString(pt[33:])}}
}

func readVector(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func fixedKey(k crypto.PublicKey) func(jws.Headers) (crypto.PublicKey, error) {
	return func(jws.Headers) (crypto.PublicKey, error) { return k, nil }
}

func newP256(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s, got nil", code)
	}
	if got := ErrorCode(err); got != code {
		t.Fatalf("want code %s, got %s (%v)", code, got, err)
	}
	if !errorsIs(err, code) {
		t.Fatalf("errors.Is does not match code %s", code)
	}
}
