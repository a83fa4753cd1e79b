package sdjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jws"
)

// RFC 9901 Appendix A.5: the issuer key used by all examples (public part).
func rfcIssuerKey(t testing.TB) *ecdsa.PublicKey {
	t.Helper()
	coord := func(s string) *big.Int {
		b, err := b64.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return new(big.Int).SetBytes(b)
	}
	return &ecdsa.PublicKey{Curve: elliptic.P256(),
		X: coord("b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ"),
		Y: coord("Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8")}
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
