package oid4vp

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
)

// RFC 7518 Appendix C: ECDH-ES key agreement between Alice's ephemeral key and Bob's key, enc
// A128GCM, apu "Alice", apv "Bob".
var (
	rfc7518Alice = map[string]string{"x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0", "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps", "d": "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"}
	rfc7518Bob   = map[string]string{"x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ", "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck", "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"}
	rfc7518Z     = []byte{158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49, 110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196}
	rfc7518Key   = "VqqN6vgjbSBcIijNcacQGg"
)

func b64d(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConcatKDFRFC7518AppendixC(t *testing.T) {
	var bob DecryptionKey
	copy(bob.d[:], b64d(t, rfc7518Bob["d"]))
	h := &jweHeader{Alg: AlgECDHES, Enc: EncA128GCM, APU: []byte("Alice"), APV: []byte("Bob"),
		EPK: append(append([]byte{4}, b64d(t, rfc7518Alice["x"])...), b64d(t, rfc7518Alice["y"])...)}
	cek, err := bob.agree(h, 16)
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(cek); got != rfc7518Key {
		t.Fatalf("derived key %s, RFC 7518 Appendix C says %s", got, rfc7518Key)
	}
	if got := concatKDF(rfc7518Z, EncA128GCM, []byte("Alice"), []byte("Bob"), 16); base64.RawURLEncoding.EncodeToString(got) != rfc7518Key {
		t.Fatalf("Concat KDF over the appendix's Z = %x", got)
	}
	// Z itself, from the other side with crypto/ecdh.
	alice, err := ecdh.P256().NewPrivateKey(b64d(t, rfc7518Alice["d"]))
	if err != nil {
		t.Fatal(err)
	}
	bobPub, err := ecdh.P256().NewPublicKey(append(append([]byte{4}, b64d(t, rfc7518Bob["x"])...), b64d(t, rfc7518Bob["y"])...))
	if err != nil {
		t.Fatal(err)
	}
	if z, err := alice.ECDH(bobPub); err != nil || !bytes.Equal(z, rfc7518Z) {
		t.Fatalf("Z = %x, %v", z, err)
	}
}

// jwxEncrypt is an independent encrypter for the tests: lestrrat-go/jwx with the given
// protected header members.
func jwxEncrypt(t testing.TB, to *ecdsa.PublicKey, enc string, payload []byte, members map[string]any) string {
	t.Helper()
	hdr, party := jwe.NewHeaders(), jwe.NewHeaders()
	for k, v := range members {
		dst := hdr
		if k == jwe.AgreementPartyUInfoKey || k == jwe.AgreementPartyVInfoKey {
			dst = party // jwx's key agreement reads apu and apv from the recipient's headers
		}
		if err := dst.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	out, err := jwe.Encrypt(payload, jwe.WithKey(jwa.ECDH_ES, to, jwe.WithPerRecipientHeaders(party)),
		jwe.WithContentEncryption(jwa.ContentEncryptionAlgorithm(enc)), jwe.WithProtectedHeaders(hdr), jwe.WithCompact())
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestDecryptJWEAgreesWithJWX(t *testing.T) {
	key, err := NewEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	dk := key.DecryptionKey()
	payload := []byte(`{"vp_token":{"pid":["eyJ.a.b~d~kb"]},"state":"s"}`)
	for _, enc := range SupportedEncs {
		for name, members := range map[string]map[string]any{
			"kid":             {"kid": key.KID},
			"no kid":          {},
			"apu apv":         {"kid": key.KID, "apu": []byte("wallet nonce"), "apv": []byte("verifier nonce")},
			"unknown members": {"kid": key.KID, "typ": "oauth-authz-res+jwt", "x-note": map[string]any{"a": 1.0}},
		} {
			compact := jwxEncrypt(t, &key.Private.PublicKey, enc, payload, members)
			if h, _, _ := strings.Cut(compact, "."); name == "apu apv" && !strings.Contains(string(b64d(t, h)), `"apv":"dmVyaWZpZXIgbm9uY2U"`) {
				t.Fatalf("apv is not in the protected header %s", b64d(t, h))
			}
			got, err := decryptJWE(compact, dk, SupportedEncs)
			if err != nil {
				t.Fatalf("%s %s: %v", enc, name, err)
			}
			want, err := jwe.Decrypt([]byte(compact), jwe.WithKey(jwa.ECDH_ES, key.Private))
			if err != nil || !bytes.Equal(got, want) || !bytes.Equal(got, payload) {
				t.Fatalf("%s %s: ours %q, jwx %q %v", enc, name, got, want, err)
			}
		}
	}
}

// reheader replaces a compact JWE's protected header with h (JSON) — the tag then fails,
// unless the checks refuse h before decrypting.
func reheader(compact string, edit func(h map[string]any)) string {
	parts := strings.Split(compact, ".")
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var h map[string]any
	_ = json.Unmarshal(hb, &h)
	edit(h)
	nb, _ := json.Marshal(h)
	parts[0] = base64.RawURLEncoding.EncodeToString(nb)
	return strings.Join(parts, ".")
}

func TestDecryptJWERefuses(t *testing.T) {
	key, _ := NewEncryptionKey()
	dk := key.DecryptionKey()
	other, _ := NewEncryptionKey()
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), nil)
	valid := jwxEncrypt(t, &key.Private.PublicKey, EncA128GCM, []byte(`{"state":"s","vp_token":{"a":["x"]}}`), map[string]any{"kid": key.KID})
	toOther := jwxEncrypt(t, &other.Private.PublicKey, EncA128GCM, []byte(`{}`), map[string]any{"kid": key.KID})
	toP384 := jwxEncrypt(t, &p384.PublicKey, EncA128GCM, []byte(`{}`), nil)
	parts := strings.Split(valid, ".")
	set := func(k string, v any) func(map[string]any) { return func(h map[string]any) { h[k] = v } }
	epk := func(k string, v any) func(map[string]any) {
		return func(h map[string]any) { h["epk"].(map[string]any)[k] = v }
	}
	flip := func(s string) string { // change the first character, staying base64url
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	offCurveY := func(h map[string]any) {
		y := b64d(t, h["epk"].(map[string]any)["y"].(string))
		y[31] ^= 1
		h["epk"].(map[string]any)["y"] = base64.RawURLEncoding.EncodeToString(y)
	}
	for _, c := range []struct {
		name, jwe, reason string
		encs              []string
	}{
		{"alg key wrap", reheader(valid, set("alg", "ECDH-ES+A128KW")), ReasonMalformedResponse, nil},
		{"alg dir", reheader(valid, set("alg", "dir")), ReasonMalformedResponse, nil},
		{"alg none", reheader(valid, set("alg", "none")), ReasonMalformedResponse, nil},
		{"alg missing", reheader(valid, func(h map[string]any) { delete(h, "alg") }), ReasonMalformedResponse, nil},
		{"alg not a string", reheader(valid, set("alg", 1)), ReasonMalformedResponse, nil},
		{"enc CBC", reheader(valid, set("enc", "A128CBC-HS256")), ReasonMalformedResponse, nil},
		{"enc A192GCM", reheader(valid, set("enc", "A192GCM")), ReasonMalformedResponse, nil},
		{"enc not advertised", valid, ReasonMalformedResponse, []string{EncA256GCM}},
		{"zip", reheader(valid, set("zip", "DEF")), ReasonMalformedResponse, nil},
		{"crit", reheader(valid, set("crit", []string{"exp"})), ReasonMalformedResponse, nil},
		{"crit empty", reheader(valid, set("crit", []string{})), ReasonMalformedResponse, nil},
		{"kid of another key", reheader(valid, set("kid", other.KID)), ReasonDecryption, nil},
		{"epk missing", reheader(valid, func(h map[string]any) { delete(h, "epk") }), ReasonDecryption, nil},
		{"epk with d", reheader(valid, epk("d", "AAAA")), ReasonMalformedResponse, nil},
		{"epk no y", reheader(valid, func(h map[string]any) { delete(h["epk"].(map[string]any), "y") }), ReasonMalformedResponse, nil},
		{"epk crv P-384", reheader(valid, epk("crv", "P-384")), ReasonDecryption, nil},
		{"epk P-384 key", toP384, ReasonDecryption, nil},
		{"epk kty OKP", reheader(valid, epk("kty", "OKP")), ReasonDecryption, nil},
		{"epk off the curve", reheader(valid, offCurveY), ReasonDecryption, nil},
		{"epk short x", reheader(valid, epk("x", "AAAA")), ReasonDecryption, nil},
		{"encrypted to another key", toOther, ReasonDecryption, nil},
		{"header changed (AAD)", reheader(valid, set("typ", "x")), ReasonDecryption, nil},
		{"ciphertext changed", strings.Join([]string{parts[0], "", parts[2], flip(parts[3]), parts[4]}, "."), ReasonDecryption, nil},
		{"tag changed", strings.Join([]string{parts[0], "", parts[2], parts[3], flip(parts[4])}, "."), ReasonDecryption, nil},
		{"iv changed", strings.Join([]string{parts[0], "", flip(parts[2]), parts[3], parts[4]}, "."), ReasonDecryption, nil},
		{"iv short", strings.Join([]string{parts[0], "", parts[2][:8], parts[3], parts[4]}, "."), ReasonMalformedResponse, nil},
		{"tag short", strings.Join([]string{parts[0], "", parts[2], parts[3], parts[4][:20]}, "."), ReasonMalformedResponse, nil},
		{"encrypted key", strings.Join([]string{parts[0], "AAAA", parts[2], parts[3], parts[4]}, "."), ReasonMalformedResponse, nil},
		{"six parts", valid + ".x", ReasonMalformedResponse, nil},
		{"four parts", strings.Join(parts[:4], "."), ReasonMalformedResponse, nil},
		{"padded header", parts[0] + "=." + strings.Join(parts[1:], "."), ReasonMalformedResponse, nil},
		{"header not an object", base64.RawURLEncoding.EncodeToString([]byte(`[]`)) + "." + strings.Join(parts[1:], "."), ReasonMalformedResponse, nil},
		{"header too large", reheader(valid, set("pad", strings.Repeat("a", maxJWEHeader))), ReasonMalformedResponse, nil},
		{"too large", valid + strings.Repeat("A", MaxResponseBytes), ReasonMalformedResponse, nil},
	} {
		encs := c.encs
		if encs == nil {
			encs = SupportedEncs
		}
		_, err := decryptJWE(c.jwe, dk, encs)
		if !errors.Is(err, ErrInvalidRequest) || ReasonOf(err) != c.reason {
			t.Errorf("%s: err = %v, want reason %s", c.name, err, c.reason)
		}
	}
	// The untouched response decrypts, so each refusal above is the one change's.
	if _, err := decryptJWE(valid, dk, SupportedEncs); err != nil {
		t.Fatal(err)
	}
}

func TestParseDecryptionKey(t *testing.T) {
	key, _ := NewEncryptionKey()
	der, err := key.MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	dk, err := ParseDecryptionKey(der)
	if err != nil {
		t.Fatal(err)
	}
	full, err := ParseEncryptionKey(der)
	if err != nil {
		t.Fatal(err)
	}
	if want := full.DecryptionKey(); *dk != *want || dk.KID != key.KID || !bytes.Equal(dk.Thumbprint(), key.Thumbprint()) {
		t.Fatalf("ParseDecryptionKey %+v, from the ecdsa key %+v", dk, want)
	}
	// Every truncation and every single-byte change that still parses is caught or harmless.
	for i := range der {
		if _, err := ParseDecryptionKey(der[:i]); err == nil {
			t.Fatalf("truncated at %d parsed", i)
		}
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), nil)
	if _, err := ParseEncryptionKey(mustPKCS8(t, p384)); err == nil {
		t.Fatal("ParseEncryptionKey took a P-384 key")
	}
	if _, err := ParseDecryptionKey(mustPKCS8(t, p384)); err == nil {
		t.Fatal("ParseDecryptionKey took a P-384 key")
	}
	// Without the optional public key, the kid is computed from d.
	noPub := stripPublicKey(t, der)
	if dk2, err := ParseDecryptionKey(noPub); err != nil || *dk2 != *dk {
		t.Fatalf("without the public key: %+v, %v", dk2, err)
	}
	// d = n is out of range.
	bad := bytes.Clone(der)
	d, _ := key.Private.Bytes()
	i := bytes.Index(bad, d)
	copy(bad[i:], p256Order[:])
	if _, err := ParseDecryptionKey(bad); err == nil {
		t.Fatal("d = n parsed")
	}
	// The stored public key must be on the curve.
	bad = bytes.Clone(der)
	bad[len(bad)-1] ^= 1
	if _, err := ParseDecryptionKey(bad); err == nil {
		t.Fatal("off-curve public key parsed")
	}
}

func mustPKCS8(t *testing.T, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := (&EncryptionKey{Private: k}).MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// fuzzKey is a fixed key for the fuzz corpus, so that seeds stay valid across runs.
func fuzzKey(t testing.TB) *EncryptionKey {
	seed := sha256.Sum256([]byte("oid4vp jwe fuzz key"))
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return newEncryptionKey(k)
}

// FuzzDecryptJWE: any input is refused with a typed error or decrypts; what decrypts, jwx
// decrypts to the same bytes.
func FuzzDecryptJWE(f *testing.F) {
	key := fuzzKey(f)
	dk := key.DecryptionKey()
	payload := []byte(`{"vp_token":{"pid":["eyJ.a.b~d~kb"]},"state":"s"}`)
	f.Add(jwxEncrypt(f, &key.Private.PublicKey, EncA128GCM, payload, map[string]any{"kid": key.KID}))
	f.Add(jwxEncrypt(f, &key.Private.PublicKey, EncA256GCM, payload, map[string]any{"apu": []byte("u"), "apv": []byte("v")}))
	f.Add(specJWE)
	f.Fuzz(func(t *testing.T, compact string) {
		got, err := decryptJWE(compact, dk, SupportedEncs)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		want, err := jwe.Decrypt([]byte(compact), jwe.WithKey(jwa.ECDH_ES, key.Private))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("decrypted to %q; jwx: %q, %v", got, want, err)
		}
	})
}

// FuzzJWEHeader: the one-pass header scan and encoding/json read every header alike.
func FuzzJWEHeader(f *testing.F) {
	key := fuzzKey(f)
	for _, c := range []string{
		jwxEncrypt(f, &key.Private.PublicKey, EncA128GCM, []byte(`{}`), map[string]any{"kid": key.KID, "apu": []byte("u")}),
		specJWE,
	} {
		h, _, _ := strings.Cut(c, ".")
		f.Add(b64d(f, h))
	}
	f.Add([]byte(`{"alg":"ECDH-ES","alg":"dir","epk":{"kty":"EC","d":"x"},"zip":"DEF"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := fastJWEHeader(b)
		if !ok {
			return
		}
		slow, err := slowJWEHeader(b)
		if err != nil {
			t.Fatalf("%q: one-pass scan took what encoding/json refuses: %v", b, err)
		}
		if *fast != *slow {
			t.Fatalf("%q: one-pass %+v, encoding/json %+v", b, fast, slow)
		}
		h1, err1 := fast.header()
		h2, err2 := slow.header()
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(h1, h2) {
			t.Fatalf("%q: %+v %v vs %+v %v", b, h1, err1, h2, err2)
		}
	})
}

// stripPublicKey re-encodes a PKCS#8 P-256 key without the ECPrivateKey's optional public key.
func stripPublicKey(t *testing.T, der []byte) []byte {
	t.Helper()
	var p8 struct {
		Version    int
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}
	var ec struct {
		Version    int
		PrivateKey []byte
		Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
		PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
	}
	if _, err := asn1.Unmarshal(der, &p8); err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(p8.PrivateKey, &ec); err != nil || ec.PublicKey.BitLength == 0 {
		t.Fatalf("no public key to strip: %v", err)
	}
	ec.PublicKey = asn1.BitString{}
	var err error
	if p8.PrivateKey, err = asn1.Marshal(ec); err != nil {
		t.Fatal(err)
	}
	out, err := asn1.Marshal(p8)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
