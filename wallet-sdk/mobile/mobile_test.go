package mobile

import (
	"bytes"
	"testing"
)

func TestFacadeErrors(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{3}, 32)
	w, err := OpenWallet(dir, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.ListJSON(); err != nil || got != "[]" {
		t.Fatalf("empty ListJSON = %q, %v", got, err)
	}
	tests := []struct {
		name string
		err  func() error
		code string
	}{
		{"short key", func() error { _, err := OpenWallet(t.TempDir(), key[:16], nil); return err }, "config"},
		{"wrong key", func() error { _, err := OpenWallet(dir, bytes.Repeat([]byte{4}, 32), nil); return err }, "wrong_key"},
		{"unknown credential", func() error {
			_, err := w.Present("0123abcd", []byte(`{"audience":"a","nonce":"n","claims":["x"]}`))
			return err
		}, "not_found"},
		{"request not JSON", func() error { _, err := w.Present("0123abcd", []byte(`<xml/>`)); return err }, "invalid_request"},
		{"bad offer", func() error { _, err := w.AcceptOffer("openid-credential-offer://?x=1", ""); return err }, "invalid_offer"},
		{"no such type", func() error { _, err := w.FindCredentialID("urn:none"); return err }, "not_found"},
		{"delete unknown", func() error { return w.Delete("0123abcd") }, "not_found"},
		{"verifier roots not PEM", func() error { _, err := OpenWalletWithRoots(t.TempDir(), key, []byte("x"), nil, nil); return err }, "config"},
		{"resolve without verifier roots", func() error {
			_, err := w.ResolveVP("openid4vp://?client_id=x509_san_dns:rp.example&request_uri=https://rp.example/r")
			return err
		}, "config"},
		{"status without status roots", func() error { _, err := w.CredentialStatus("0123abcd"); return err }, "config"},
		{"status roots not CA", func() error {
			_, err := OpenWalletWithRoots(t.TempDir(), key, nil, []byte("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"), nil)
			return err
		}, "config"},
		{"single credential unknown", func() error { _, err := w.CredentialJSON("0123abcd"); return err }, "not_found"},
		{"respond to no request", func() error { _, err := w.RespondVP("00", ""); return err }, "not_found"},
		{"choice not JSON", func() error { _, err := w.RespondVP("00", "[1]"); return err }, "config"},
		{"decline no request", func() error { _, err := w.DeclineVP("00"); return err }, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err()); got != tt.code {
				t.Fatalf("code %q, want %q", got, tt.code)
			}
		})
	}
}
