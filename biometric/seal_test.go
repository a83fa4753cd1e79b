package biometric

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	mrand "math/rand/v2"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
)

var b64 = base64.RawURLEncoding

// concatKDF is an independent implementation of RFC 7518 §4.6.2 (NIST SP 800-56A Concat KDF,
// SHA-256) used to check Seal's output without going through jwx.
func concatKDF(z []byte, alg string, apu, apv []byte, keyBytes int) []byte {
	lp := func(b []byte) []byte { return binary.BigEndian.AppendUint32(nil, uint32(len(b))) }
	var out []byte
	for round := uint32(1); len(out) < keyBytes; round++ {
		h := sha256.New()
		h.Write(binary.BigEndian.AppendUint32(nil, round))
		h.Write(z)
		h.Write(lp([]byte(alg)))
		h.Write([]byte(alg))
		h.Write(lp(apu))
		h.Write(apu)
		h.Write(lp(apv))
		h.Write(apv)
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(keyBytes*8)))
		out = h.Sum(out)
	}
	return out[:keyBytes]
}

// aesUnwrap is RFC 3394 key unwrap, again independent of jwx.
func aesUnwrap(kek, wrapped []byte) ([]byte, bool) {
	blk, err := aes.NewCipher(kek)
	if err != nil || len(wrapped)%8 != 0 || len(wrapped) < 24 {
		return nil, false
	}
	n := len(wrapped)/8 - 1
	a := bytes.Clone(wrapped[:8])
	r := bytes.Clone(wrapped[8:])
	buf := make([]byte, 16)
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(buf, binary.BigEndian.Uint64(a)^t)
			copy(buf[8:], r[(i-1)*8:i*8])
			blk.Decrypt(buf, buf)
			copy(a, buf[:8])
			copy(r[(i-1)*8:], buf[8:])
		}
	}
	return r, bytes.Equal(a, bytes.Repeat([]byte{0xA6}, 8))
}

func mustB64(t *testing.T, s string) []byte {
	b, err := b64.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReferenceKDFAndUnwrap pins the test-side reference code to published vectors.
func TestReferenceKDFAndUnwrap(t *testing.T) {
	// RFC 7518 Appendix C: Alice's ephemeral private key, Bob's public key.
	alice, err := ecdh.P256().NewPrivateKey(mustB64(t, "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"))
	if err != nil {
		t.Fatal(err)
	}
	bobPub, err := ecdh.P256().NewPublicKey(append(append([]byte{4},
		mustB64(t, "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ")...),
		mustB64(t, "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck")...))
	if err != nil {
		t.Fatal(err)
	}
	z, err := alice.ECDH(bobPub)
	if err != nil {
		t.Fatal(err)
	}
	if got := b64.EncodeToString(concatKDF(z, "A128GCM", []byte("Alice"), []byte("Bob"), 16)); got != "VqqN6vgjbSBcIijNcacQGg" {
		t.Fatalf("RFC 7518 C: derived %s", got)
	}
	// RFC 3394 §4.6: 256 bits of key data with a 256-bit KEK.
	kek, _ := hex.DecodeString("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
	ct, _ := hex.DecodeString("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21")
	want, _ := hex.DecodeString("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")
	if got, ok := aesUnwrap(kek, ct); !ok || !bytes.Equal(got, want) {
		t.Fatalf("RFC 3394 4.6: %x %v", got, ok)
	}
}

// TestSealIsStandardJWE decrypts Seal's output with the reference code above, so the wire
// format is RFC 7516/7518 and not merely whatever jwx reads back.
func TestSealIsStandardJWE(t *testing.T) {
	priv, _ := ecdh.P256().GenerateKey(rand.Reader)
	tpl := randomTemplate(mrand.New(mrand.NewPCG(1, 1)))
	sealed, err := Seal(tpl, priv.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(sealed, ".")
	if len(parts) != 5 {
		t.Fatalf("not compact serialisation: %d parts", len(parts))
	}
	var hdr struct {
		Alg, Enc, Cty, Apu, Apv string
		Epk                     struct{ Kty, Crv, X, Y string }
	}
	if err := json.Unmarshal(mustB64(t, parts[0]), &hdr); err != nil {
		t.Fatal(err)
	}
	if hdr.Alg != "ECDH-ES+A256KW" || hdr.Enc != "A256GCM" || hdr.Cty != SealedContentType || hdr.Epk.Crv != "P-256" {
		t.Fatalf("header %+v", hdr)
	}
	epk, err := ecdh.P256().NewPublicKey(append(append([]byte{4}, mustB64(t, hdr.Epk.X)...), mustB64(t, hdr.Epk.Y)...))
	if err != nil {
		t.Fatal(err)
	}
	z, _ := priv.ECDH(epk)
	kek := concatKDF(z, hdr.Alg, mustB64(t, hdr.Apu), mustB64(t, hdr.Apv), 32)
	cek, ok := aesUnwrap(kek, mustB64(t, parts[1]))
	if !ok || len(cek) != 32 {
		t.Fatal("key unwrap failed")
	}
	blk, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(blk)
	plain, err := gcm.Open(nil, mustB64(t, parts[2]), append(mustB64(t, parts[3]), mustB64(t, parts[4])...), []byte(parts[0]))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseTemplate(plain)
	if err != nil || got != tpl {
		t.Fatalf("payload is not the template encoding: %v", err)
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	tpl := randomTemplate(mrand.New(mrand.NewPCG(2, 2)))
	ecdhKey, _ := ecdh.P256().GenerateKey(rand.Reader)
	ecdsaKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecdsaAsECDH, _ := ecdsaKey.ECDH()
	cases := []struct {
		name string
		pub  any
		priv any
	}{
		{"ecdh/ecdh", ecdhKey.PublicKey(), ecdhKey},
		{"ecdsa/ecdsa", &ecdsaKey.PublicKey, ecdsaKey},
		{"ecdsa/ecdh", &ecdsaKey.PublicKey, ecdsaAsECDH},
	}
	for _, c := range cases {
		s, err := Seal(tpl, c.pub)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := Open(s, c.priv)
		if err != nil || got != tpl {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	key, _ := ecdh.P256().GenerateKey(rand.Reader)
	other, _ := ecdh.P256().GenerateKey(rand.Reader)
	tpl := randomTemplate(mrand.New(mrand.NewPCG(3, 3)))
	sealed, err := Seal(tpl, key.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(sealed, ".")
	flip := func(i int) string {
		p := bytes.Clone([]byte(parts[i]))
		// Replace the middle character with a different base64url one (a middle character
		// carries a full 6 bits, so the decoded bytes really change). Random keys make the
		// original character vary from run to run.
		if p[len(p)/2] == 'A' {
			p[len(p)/2] = 'B'
		} else {
			p[len(p)/2] = 'A'
		}
		q := append([]string(nil), parts...)
		q[i] = string(p)
		return strings.Join(q, ".")
	}
	// Same template, same recipient, but alg ECDH-ES+A128KW: must be refused, not accepted.
	plain, _ := tpl.MarshalBinary()
	pubECDSA, _ := p256Public(key.PublicKey())
	wrongAlg, err := jwe.Encrypt(plain, jwe.WithKey(jwa.ECDH_ES_A128KW, pubECDSA), jwe.WithContentEncryption(jwa.A256GCM),
		jwe.WithProtectedHeaders(ctyHeader(t)), jwe.WithCompact())
	if err != nil {
		t.Fatal(err)
	}
	noCty, _ := jwe.Encrypt(plain, jwe.WithKey(jwa.ECDH_ES_A256KW, pubECDSA), jwe.WithContentEncryption(jwa.A256GCM), jwe.WithCompact())
	garbage, _ := jwe.Encrypt([]byte("not a template"), jwe.WithKey(jwa.ECDH_ES_A256KW, pubECDSA),
		jwe.WithContentEncryption(jwa.A256GCM), jwe.WithProtectedHeaders(ctyHeader(t)), jwe.WithCompact())
	cases := []struct {
		name string
		in   string
		key  any
		want error
	}{
		{"wrong key", sealed, other, ErrSealed},
		{"tampered header", flip(0), key, ErrSealed},
		{"tampered wrapped key", flip(1), key, ErrSealed},
		{"tampered iv", flip(2), key, ErrSealed},
		{"tampered ciphertext", flip(3), key, ErrSealed},
		{"tampered tag", flip(4), key, ErrSealed},
		{"truncated", sealed[:len(sealed)-5], key, ErrSealed},
		{"empty", "", key, ErrSealed},
		{"oversized", strings.Repeat("A", MaxSealedLen+1), key, ErrTooLarge},
		{"no cty", string(noCty), key, ErrSealed},
		{"payload not a template", string(garbage), key, ErrSealed},
		{"wrong alg", string(wrongAlg), key, ErrSealed},
		{"not a key", sealed, "not a key", ErrInvalidKey},
	}
	for _, c := range cases {
		_, err := Open(c.in, c.key)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	p384, _ := ecdh.P384().GenerateKey(rand.Reader)
	if _, err := Seal(tpl, p384.PublicKey()); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("P-384 recipient: %v", err)
	}
	if _, err := Open(sealed, p384); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("P-384 key: %v", err)
	}
	if _, err := Seal(Template{}, key.PublicKey()); !errors.Is(err, ErrInvalidTemplate) {
		t.Errorf("invalid template sealed: %v", err)
	}
}

func ctyHeader(t testing.TB) jwe.Headers {
	h := jwe.NewHeaders()
	if err := h.Set(jwe.ContentTypeKey, SealedContentType); err != nil {
		t.Fatal(err)
	}
	return h
}

// FuzzOpen: arbitrary strings never panic and never open without the key's real ciphertext.
func FuzzOpen(f *testing.F) {
	key, _ := ecdh.P256().GenerateKey(rand.Reader)
	tpl := randomTemplate(mrand.New(mrand.NewPCG(4, 4)))
	sealed, err := Seal(tpl, key.PublicKey())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add(sealed[:len(sealed)/2])
	f.Add("....")
	f.Add(`{"protected":"e30","ciphertext":""}`)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Open(s, key)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if got != tpl { // the only thing that can open is an authentic seal of tpl
			t.Fatal("opened a forged template")
		}
	})
}

// aesWrap is RFC 3394 §2.2.1 key wrap (default IV), test-side only, to build JWEs whose
// header Seal would never produce.
func aesWrap(kek, key []byte) []byte {
	blk, _ := aes.NewCipher(kek)
	n := len(key) / 8
	a := bytes.Repeat([]byte{0xA6}, 8)
	r := bytes.Clone(key)
	buf := make([]byte, 16)
	for j := 0; j <= 5; j++ {
		for i := 1; i <= n; i++ {
			copy(buf, a)
			copy(buf[8:], r[(i-1)*8:i*8])
			blk.Encrypt(buf, buf)
			binary.BigEndian.PutUint64(a, binary.BigEndian.Uint64(buf[:8])^uint64(n*j+i))
			copy(r[(i-1)*8:], buf[8:])
		}
	}
	return append(a, r...)
}

// jweSpec describes a hand-built ECDH-ES+A256KW/A256GCM JWE (built with the reference code
// above, not with Open's helpers): header members, and knobs to break the encoding.
type jweSpec struct {
	header  func(epk map[string]any) map[string]any // nil: the profile's header
	raw     func(epk string) string                 // header JSON text, given the epk's
	apu     []byte
	ivLen   int
	encode  func([]byte) string // nil: unpadded base64url
	payload []byte
}

func buildJWE(t testing.TB, to *ecdh.PublicKey, s jweSpec) string {
	eph, _ := ecdh.P256().GenerateKey(rand.Reader)
	pt := eph.PublicKey().Bytes()
	epk := map[string]any{"kty": "EC", "crv": "P-256", "x": b64.EncodeToString(pt[1:33]), "y": b64.EncodeToString(pt[33:])}
	hdr := map[string]any{"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "cty": SealedContentType, "epk": epk}
	if s.apu != nil {
		hdr["apu"] = b64.EncodeToString(s.apu)
	}
	if s.header != nil {
		hdr = s.header(epk)
	}
	enc := s.encode
	if enc == nil {
		enc = b64.EncodeToString
	}
	hj, _ := json.Marshal(hdr)
	if s.raw != nil {
		ej, _ := json.Marshal(epk)
		hj = []byte(s.raw(string(ej)))
	}
	h64 := enc(hj)
	z, _ := eph.ECDH(to)
	kek := concatKDF(z, "ECDH-ES+A256KW", s.apu, nil, 32)
	cek := make([]byte, 32)
	rand.Read(cek)
	ivLen := s.ivLen
	if ivLen == 0 {
		ivLen = 12
	}
	iv := make([]byte, ivLen)
	rand.Read(iv)
	blk, _ := aes.NewCipher(cek)
	gcm, err := cipher.NewGCMWithNonceSize(blk, ivLen)
	if err != nil {
		t.Fatal(err)
	}
	sealed := gcm.Seal(nil, iv, s.payload, []byte(h64))
	ct, tag := sealed[:len(sealed)-16], sealed[len(sealed)-16:]
	return strings.Join([]string{h64, enc(aesWrap(kek, cek)), enc(iv), enc(ct), enc(tag)}, ".")
}

func TestReferenceWrap(t *testing.T) {
	kek, _ := hex.DecodeString("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
	key, _ := hex.DecodeString("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")
	want, _ := hex.DecodeString("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21")
	if got := aesWrap(kek, key); !bytes.Equal(got, want) {
		t.Fatalf("RFC 3394 4.6 wrap: %X", got)
	}
	if got, ok := unwrapKey(kek, want); !ok || !bytes.Equal(got[:], key) {
		t.Fatalf("unwrapKey on RFC 3394 4.6: %X %v", got, ok)
	}
	bad := bytes.Clone(want)
	bad[0] ^= 1
	if _, ok := unwrapKey(kek, bad); ok {
		t.Fatal("unwrapKey accepted a corrupted wrapped key")
	}
}

// TestConcatKDF256 pins Open's KDF to RFC 7518 Appendix C's inputs (there for a 128-bit
// key: our 256-bit output must agree with the reference code, whose 128-bit output is pinned
// to the RFC above).
func TestConcatKDF256(t *testing.T) {
	z := bytes.Repeat([]byte{0x5a}, 32)
	for _, c := range []struct{ apu, apv []byte }{{nil, nil}, {[]byte("Alice"), []byte("Bob")}} {
		got := concatKDF256(z, "ECDH-ES+A256KW", c.apu, c.apv)
		if want := concatKDF(z, "ECDH-ES+A256KW", c.apu, c.apv, 32); !bytes.Equal(got[:], want) {
			t.Fatalf("apu %q: %x != %x", c.apu, got, want)
		}
	}
}

// TestOpenHandBuilt opens JWEs built independently of jwx and of Open, and checks that Open
// refuses every header or encoding outside the profile. Whatever Open accepts, jwx must accept
// too with the same plaintext: the one-pass decoder is never looser than the library it
// replaced.
func TestOpenHandBuilt(t *testing.T) {
	key, _ := ecdh.P256().GenerateKey(rand.Reader)
	tpl := randomTemplate(mrand.New(mrand.NewPCG(5, 5)))
	plain, _ := tpl.MarshalBinary()
	p384, _ := ecdh.P384().GenerateKey(rand.Reader)
	with := func(mod func(h, epk map[string]any)) func(map[string]any) map[string]any {
		return func(epk map[string]any) map[string]any {
			h := map[string]any{"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "cty": SealedContentType, "epk": epk}
			mod(h, epk)
			return h
		}
	}
	cases := []struct {
		name string
		spec jweSpec
		ok   bool
	}{
		{"profile", jweSpec{}, true},
		{"with apu", jweSpec{apu: []byte("gate-reader")}, true},
		{"zip", jweSpec{header: with(func(h, _ map[string]any) { h["zip"] = "DEF" })}, false},
		{"crit", jweSpec{header: with(func(h, _ map[string]any) { h["crit"] = []string{"exp"}; h["exp"] = 1 })}, false},
		{"kid", jweSpec{header: with(func(h, _ map[string]any) { h["kid"] = "reader-1" })}, false},
		{"ALG in capitals", jweSpec{header: with(func(h, _ map[string]any) { h["ALG"] = h["alg"]; delete(h, "alg") })}, false},
		{"alg A128KW", jweSpec{header: with(func(h, _ map[string]any) { h["alg"] = "ECDH-ES+A128KW" })}, false},
		{"alg not a string", jweSpec{header: with(func(h, _ map[string]any) { h["alg"] = 1 })}, false},
		{"enc A128GCM", jweSpec{header: with(func(h, _ map[string]any) { h["enc"] = "A128GCM" })}, false},
		{"no cty", jweSpec{header: with(func(h, _ map[string]any) { delete(h, "cty") })}, false},
		{"no epk", jweSpec{header: with(func(h, _ map[string]any) { delete(h, "epk") })}, false},
		{"epk with d", jweSpec{header: with(func(_, e map[string]any) { e["d"] = e["x"] })}, false},
		{"epk P-384", jweSpec{header: with(func(_, e map[string]any) { e["crv"] = "P-384" })}, false},
		{"epk off curve", jweSpec{header: with(func(_, e map[string]any) { e["y"] = e["x"] })}, false},
		{"epk short x", jweSpec{header: with(func(_, e map[string]any) { e["x"] = e["x"].(string)[1:] })}, false},
		{"epk foreign point", jweSpec{header: with(func(_, e map[string]any) {
			pt := p384.PublicKey().Bytes()
			e["x"] = b64.EncodeToString(pt[1:33])
		})}, false},
		{"header null", jweSpec{header: func(map[string]any) map[string]any { return nil }}, false},
		{"padded base64", jweSpec{encode: base64.URLEncoding.EncodeToString}, false},
		{"standard base64", jweSpec{encode: base64.RawStdEncoding.EncodeToString}, false},
		{"iv of 16 bytes", jweSpec{ivLen: 16}, false},
		{"whitespace", jweSpec{raw: func(e string) string {
			return " {\n\t\"alg\" : \"ECDH-ES+A256KW\",\r\n \"enc\":\"A256GCM\" , \"cty\":\"" + SealedContentType + "\",\"epk\": " + e + " } "
		}}, true},
		{"escaped alg", jweSpec{raw: func(e string) string {
			return `{"alg":"ECDH-ES\u002bA256KW","enc":"A256GCM","cty":"` + SealedContentType + `","epk":` + e + `}`
		}}, false},
		{"duplicate alg", jweSpec{raw: func(e string) string {
			return `{"alg":"ECDH-ES+A128KW","alg":"ECDH-ES+A256KW","enc":"A256GCM","cty":"` + SealedContentType + `","epk":` + e + `}`
		}}, false},
		{"duplicate epk", jweSpec{raw: func(e string) string {
			return `{"alg":"ECDH-ES+A256KW","enc":"A256GCM","cty":"` + SealedContentType + `","epk":` + e + `,"epk":` + e + `}`
		}}, false},
		{"trailing data", jweSpec{raw: func(e string) string {
			return `{"alg":"ECDH-ES+A256KW","enc":"A256GCM","cty":"` + SealedContentType + `","epk":` + e + `}{}`
		}}, false},
		{"trailing comma", jweSpec{raw: func(e string) string {
			return `{"alg":"ECDH-ES+A256KW","enc":"A256GCM","cty":"` + SealedContentType + `","epk":` + e + `,}`
		}}, false},
		{"epk as string", jweSpec{raw: func(e string) string {
			return `{"alg":"ECDH-ES+A256KW","enc":"A256GCM","cty":"` + SealedContentType + `","epk":"x"}`
		}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.spec.payload = plain
			s := buildJWE(t, key.PublicKey(), c.spec)
			got, err := Open(s, key)
			if c.ok {
				if err != nil || got != tpl {
					t.Fatalf("Open: %v", err)
				}
			} else if !errors.Is(err, ErrSealed) {
				t.Fatalf("Open: %v, want ErrSealed", err)
			}
			if err == nil {
				agreeWithJWX(t, s, key, plain)
			}
		})
	}
	six := buildJWE(t, key.PublicKey(), jweSpec{payload: plain}) + ".AAAA"
	if _, err := Open(six, key); !errors.Is(err, ErrSealed) {
		t.Fatalf("six parts: %v", err)
	}
}

// agreeWithJWX decrypts s with jwx (the library Open used before it decoded in one pass)
// and requires the same plaintext.
func agreeWithJWX(t testing.TB, s string, key *ecdh.PrivateKey, want []byte) {
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), key.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got, err := jwe.Decrypt([]byte(s), jwe.WithKey(jwa.ECDH_ES_A256KW, priv))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Open accepted what jwx rejects (%v)", err)
	}
}

// FuzzOpenNoLooserThanJWX: whatever Open accepts, jwx decrypts to the same plaintext.
func FuzzOpenNoLooserThanJWX(f *testing.F) {
	key, _ := ecdh.P256().GenerateKey(rand.Reader)
	tpl := randomTemplate(mrand.New(mrand.NewPCG(6, 6)))
	plain, _ := tpl.MarshalBinary()
	sealed, err := Seal(tpl, key.PublicKey())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add(buildJWE(f, key.PublicKey(), jweSpec{apu: []byte("x"), payload: plain}))
	f.Add(strings.Replace(sealed, ".", "..", 1))
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Open(s, key)
		if err != nil {
			return
		}
		want, _ := got.MarshalBinary()
		agreeWithJWX(t, s, key, want)
	})
}

// FuzzParseSealHeader: the header scanner never panics, and whatever it accepts is a JSON
// object that encoding/json reads with the same members and values.
func FuzzParseSealHeader(f *testing.F) {
	key, _ := ecdh.P256().GenerateKey(rand.Reader)
	sealed, err := Seal(randomTemplate(mrand.New(mrand.NewPCG(7, 7))), key.PublicKey())
	if err != nil {
		f.Fatal(err)
	}
	hdr, _ := b64.DecodeString(strings.Split(sealed, ".")[0])
	f.Add(hdr)
	f.Add([]byte(`{"alg":"ECDH-ES+A256KW","apu":"QQ","apv":"Qg","enc":"A256GCM"}`))
	f.Add([]byte(`{"epk":{"kty":"EC"},"epk":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseSealHeader(b)
		if err != nil {
			if !errors.Is(err, ErrSealed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		var m struct {
			Alg, Enc, Cty, Apu, Apv string
			Epk                     struct{ Kty, Crv, X, Y string }
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("accepted invalid JSON %q: %v", b, err)
		}
		pt := h.epk.Bytes()
		if m.Alg != sealAlg || m.Enc != sealEnc || m.Cty != SealedContentType || m.Epk.X != b64.EncodeToString(pt[1:33]) ||
			m.Epk.Y != b64.EncodeToString(pt[33:]) || m.Apu != b64.EncodeToString(h.apu) || m.Apv != b64.EncodeToString(h.apv) {
			t.Fatalf("%q read differently by encoding/json", b)
		}
	})
}
