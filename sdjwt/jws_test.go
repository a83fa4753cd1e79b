package sdjwt

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	precomp "github.com/idgate/idgate/certs/es256"
)

// TestAppendDERSignature compares the hand encoding with encoding/asn1 over the edge cases
// (leading zeros, high bit set, zero, P-521 width with its long-form length).
func TestAppendDERSignature(t *testing.T) {
	halves := func(n int) [][]byte {
		full := bytes.Repeat([]byte{0xff}, n)
		lead := append(make([]byte, n-1), 0x01)
		mid := append(make([]byte, 3), bytes.Repeat([]byte{0x80}, n-3)...)
		rnd := make([]byte, n)
		rand.Read(rnd)
		return [][]byte{full, lead, mid, rnd, make([]byte, n)}
	}
	for _, n := range []int{32, 48, 66} {
		for _, r := range halves(n) {
			for _, s := range halves(n) {
				want, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(r), new(big.Int).SetBytes(s)})
				if err != nil {
					t.Fatal(err)
				}
				if got := appendDERSignature(nil, r, s); !bytes.Equal(got, want) {
					t.Fatalf("n=%d r=%x s=%x: %x, want %x", n, r, s, got, want)
				}
			}
		}
	}
}

func TestVerifySigES256(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	in := "header.payload"
	d := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	fast, err := precomp.Precompute(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	zeroR := append(make([]byte, 32), sig[32:]...)
	zeroS := append(bytes.Clone(sig[:32]), make([]byte, 32)...)
	flipped := bytes.Clone(sig)
	flipped[10] ^= 1
	for _, c := range []struct {
		name string
		sig  []byte
		in   string
		code string
	}{
		{"valid", sig, in, ""},
		{"other input", sig, in + "x", CodeSignatureInvalid},
		{"flipped bit", flipped, in, CodeSignatureInvalid},
		{"r = 0", zeroR, in, CodeSignatureInvalid},
		{"s = 0", zeroS, in, CodeSignatureInvalid},
		{"all zero", make([]byte, 64), in, CodeSignatureInvalid},
		{"short", sig[:63], in, CodeSignatureInvalid},
	} {
		// The same verdict from crypto/ecdsa and from a precomputed key (certs/es256).
		for _, key := range []crypto.PublicKey{&k.PublicKey, fast} {
			err := verifySig(jwa.ES256, key, c.in, c.sig, CodeKeyUnresolved, CodeSignatureInvalid)
			if got := ErrorCode(err); got != c.code {
				t.Errorf("%s (%T): %v, want %q", c.name, key, err, c.code)
			}
		}
	}
	// A precomputed P-256 key is for ES256 only.
	if err := verifySig(jwa.ES384, fast, in, sig, CodeKeyUnresolved, CodeSignatureInvalid); ErrorCode(err) != CodeKeyUnresolved {
		t.Errorf("ES384 with a precomputed P-256 key: %v", err)
	}
}

func TestPeekNonce(t *testing.T) {
	enc := func(s string) string { return b64.EncodeToString([]byte(s)) }
	kb := func(payload string) string {
		return enc(`{"typ":"kb+jwt","alg":"ES256"}`) + "." + enc(payload) + ".c2ln"
	}
	for _, c := range []struct{ in, want string }{
		{"jwt~d~" + kb(`{"nonce":"n-1","aud":"x"}`), "n-1"},
		{"jwt~" + kb(`{"nonce":"n-2"}`), "n-2"},
		{"jwt~d~", ""},
		{"no tilde " + kb(`{"nonce":"n"}`), ""},
		{"jwt~" + kb(`{"nonce":7}`), ""},
		{"jwt~" + kb(`{"Nonce":"n"}`), ""},
		{"jwt~" + kb(`["nonce"]`), ""},
		{"jwt~a.!!!.c", ""},
		{"jwt~" + kb(`{"nonce":"`+strings.Repeat("n", maxKBBytes)+`"}`), ""},
	} {
		if got := PeekNonce(c.in); got != c.want {
			t.Errorf("PeekNonce(%.40q) = %q, want %q", c.in, got, c.want)
		}
	}
}
