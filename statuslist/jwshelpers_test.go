package statuslist_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"encoding/asn1"
)

// signRaw builds a compact ES256 JWS from arbitrary header and claims maps, so tests can forge
// tokens that Sign itself would refuse to produce.
func signRaw(t testing.TB, s crypto.Signer, hdr, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(hdr)
	c, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	d := sha256.Sum256([]byte(in))
	der, err := s.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 64)
	sig.R.FillBytes(raw[:32])
	sig.S.FillBytes(raw[32:])
	return in + "." + base64.RawURLEncoding.EncodeToString(raw)
}

func sigWith(t testing.TB, k *ecdsa.PrivateKey, in string) string {
	t.Helper()
	d := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	s.FillBytes(raw[32:])
	return base64.RawURLEncoding.EncodeToString(raw)
}

// unsigned rewrites jws with the given alg and an empty (none) or junk (HS256) signature.
func unsigned(t testing.TB, jws, alg string) string {
	t.Helper()
	parts := strings.Split(jws, ".")
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var h map[string]any
	json.Unmarshal(hb, &h)
	h["alg"] = alg
	nh, _ := json.Marshal(h)
	sig := ""
	if alg != "none" {
		sig = base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	}
	return base64.RawURLEncoding.EncodeToString(nh) + "." + parts[1] + "." + sig
}
