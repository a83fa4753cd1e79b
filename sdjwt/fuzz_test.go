package sdjwt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds returns the RFC vectors (whole tokens) from testdata.
func fuzzSeeds(f *testing.F) []string {
	files, _ := filepath.Glob("testdata/rfc9901_*.txt")
	var out []string
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, strings.TrimSpace(string(b)))
	}
	if len(out) == 0 {
		f.Fatal("no RFC vectors")
	}
	return out
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add("a.b.c~")
	f.Add("a.b.c~~")
	f.Add("~")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if tok.String() != s {
			t.Fatalf("round trip changed the token")
		}
		_, _ = tok.Paths() // holder-side walk must not panic either
	})
}

func FuzzParseDisclosure(f *testing.F) {
	for _, s := range []string{
		"WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0",
		"WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0",
		"WwoiXzI2YmM0TFQtYWM2cTJLSTZjQlc1ZXMiLAoiZmFtaWx5X25hbWUiLAoiTcO2Yml1cyIKXQ",
		"WyJhIl0", "e30", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDisclosure(s)
		if err != nil {
			if ErrorCode(err) != CodeDisclosureMalformed {
				t.Fatalf("wrong error %v", err)
			}
			return
		}
		if d.Encoded != s || (d.Name == "_sd" || d.Name == "...") {
			t.Fatalf("accepted bad disclosure")
		}
		if _, err := d.Digest(SHA256); err != nil {
			t.Fatal(err)
		}
	})
}

// rfcPrivateKey rebuilds an RFC 9901 A.5 private key (the RFC publishes d),
// so fuzz seeds we issue ourselves verify under the same fixed key.
func rfcPrivateKey(t testing.TB, d string) *ecdsa.PrivateKey {
	b, err := b64.DecodeString(d)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// FuzzVerify uses one fixed key (RFC 9901 A.5) so mutated seeds — the RFC
// vectors and a token we issue with recursive, array and KB parts — still
// reach the deep processing paths after the signature check.
func FuzzVerify(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	issuer := rfcPrivateKey(f, "Ur2bNKuBPOrAaxsRnbSH6hIhmNTxSGXshDSUD1a1y7g")
	if !issuer.PublicKey.Equal(rfcIssuerKey(f)) {
		f.Fatal("A.5 issuer private key does not match its public key")
	}
	holder := rfcPrivateKey(f, "5K5SCos8zf9zRemGGUl6yfok-_NiiryNZsvANWMhF-I")
	claims := sampleClaims()
	claims["cnf"] = holderJWK(holder)
	s, err := Issue(claims, samplePaths, IssueOptions{Signer: issuer, Decoys: 1})
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1748454271, 0)
	kb, err := AddKeyBinding(s, holder, "ES256", "https://verifier.example.org", "1234567890", now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(s)
	f.Add(kb)
	opts := VerifyOptions{IssuerKey: fixedKey(&issuer.PublicKey),
		KeyBinding: &KBOptions{Audience: "https://verifier.example.org", Nonce: "1234567890", Now: now}}
	if _, err := Verify(kb, opts); err != nil {
		f.Fatal("seed does not verify: ", err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Verify(s, opts)
		if err != nil {
			if v != nil || ErrorCode(err) == "" {
				t.Fatalf("bad failure: %v", err)
			}
			return
		}
		if _, ok := v.Claims["_sd"]; ok {
			t.Fatal("_sd survived processing")
		}
	})
}

// TestOneSpelling: a presentation whose base64url parts carry a CR or LF (which encoding/base64
// skips) is refused, so a verified presentation has exactly one spelling.
func TestOneSpelling(t *testing.T) {
	issuer := rfcPrivateKey(t, "Ur2bNKuBPOrAaxsRnbSH6hIhmNTxSGXshDSUD1a1y7g")
	holder := rfcPrivateKey(t, "5K5SCos8zf9zRemGGUl6yfok-_NiiryNZsvANWMhF-I")
	claims := sampleClaims()
	claims["cnf"] = holderJWK(holder)
	s, err := Issue(claims, samplePaths, IssueOptions{Signer: issuer})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1748454271, 0)
	kb, err := AddKeyBinding(s, holder, "ES256", "https://verifier.example.org", "1234567890", now)
	if err != nil {
		t.Fatal(err)
	}
	opts := VerifyOptions{IssuerKey: fixedKey(&issuer.PublicKey),
		KeyBinding: &KBOptions{Audience: "https://verifier.example.org", Nonce: "1234567890", Now: now}}
	if _, err := Verify(kb, opts); err != nil {
		t.Fatal(err)
	}
	issuerSig := strings.LastIndexByte(kb[:strings.IndexByte(kb, '~')], '.') + 3
	for name, bad := range map[string]string{
		"LF after the KB-JWT":        kb + "\n",
		"CR in the KB-JWT signature": kb[:len(kb)-4] + "\r" + kb[len(kb)-4:],
		"LF in the issuer signature": kb[:issuerSig] + "\n" + kb[issuerSig:],
	} {
		if _, err := Verify(bad, opts); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}
