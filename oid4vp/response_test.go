package oid4vp

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestEncryptedResponseRoundTrip(t *testing.T) {
	key, err := NewEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewEncryptionKey()
	for _, enc := range SupportedEncs {
		r := &Response{VPToken: VPToken{"pid": {"eyJ.x.y~d~kb"}}, State: "s"}
		form, err := r.EncryptedForm(key.PublicJWK(), enc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeResponse(form, DecodeOptions{Mode: ModeDirectPostJWT, Key: key.DecryptionKey()})
		if err != nil || got.State != "s" || got.VPToken["pid"][0] != "eyJ.x.y~d~kb" {
			t.Fatalf("%s: %+v %v", enc, got, err)
		}
		// Encrypted to another key (with that key's kid, then with ours).
		form, _ = r.EncryptedForm(other.PublicJWK(), enc)
		if _, err := DecodeResponse(form, DecodeOptions{Mode: ModeDirectPostJWT, Key: key.DecryptionKey()}); ReasonOf(err) != ReasonDecryption {
			t.Fatalf("other key: err = %v", err)
		}
		j := other.PublicJWK()
		j.KID = key.KID
		form, _ = r.EncryptedForm(j, enc)
		if _, err := DecodeResponse(form, DecodeOptions{Mode: ModeDirectPostJWT, Key: key.DecryptionKey()}); ReasonOf(err) != ReasonDecryption {
			t.Fatalf("other key under our kid: err = %v", err)
		}
		// A plain response where an encrypted one is expected.
		plain, _ := r.Form()
		if _, err := DecodeResponse(plain, DecodeOptions{Mode: ModeDirectPostJWT, Key: key.DecryptionKey()}); ReasonOf(err) != ReasonModeMismatch {
			t.Fatalf("plain for jwt: err = %v", err)
		}
	}
}

func TestDecodeDirectPost(t *testing.T) {
	r := &Response{VPToken: VPToken{"pid": {"a~b~"}}, State: "s"}
	form, _ := r.Form()
	got, err := DecodeResponse(form, DecodeOptions{Mode: ModeDirectPost})
	if err != nil || got.VPToken["pid"][0] != "a~b~" || got.State != "s" {
		t.Fatalf("%+v %v", got, err)
	}
	wallet, _ := (&Response{Error: "access_denied", State: "s"}).Form()
	got, err = DecodeResponse(wallet, DecodeOptions{Mode: ModeDirectPostJWT})
	if err != nil || !errors.Is(got.WalletError(), ErrAccessDenied) {
		t.Fatalf("wallet error: %+v %v", got, err)
	}
	for name, f := range map[string]url.Values{
		"repeated":        {"vp_token": {`{"a":["x"]}`, `{"a":["y"]}`}},
		"vp_token string": {"vp_token": {`"x"`}},
		"value not array": {"vp_token": {`{"a":"x"}`}},
		"empty array":     {"vp_token": {`{"a":[]}`}},
		"empty object":    {"vp_token": {`{}`}},
		"bad key":         {"vp_token": {`{"a b":["x"]}`}},
		"object entry":    {"vp_token": {`{"a":[{}]}`}},
		"both":            {"vp_token": {`{"a":["x"]}`}, "error": {"access_denied"}},
		"jwt in plain":    {"response": {"x.y.z"}},
		"missing":         {"state": {"s"}},
	} {
		if _, err := DecodeResponse(f, DecodeOptions{Mode: ModeDirectPost}); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestDecryptResponseRejectsHeaders(t *testing.T) {
	key := specKey(t)
	for name, jwe := range map[string]string{
		"not five parts": "a.b.c",
		"encrypted key":  strings.Replace(specJWE, "..", ".AAAA.", 1),
		"bad header":     "!!" + specJWE[2:],
		"too large":      strings.Repeat("a", MaxResponseBytes+1),
	} {
		if _, err := DecryptResponse(jwe, key.DecryptionKey(), nil); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
