package mobile

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
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

// The holder previews an offer, sees it needs a six-digit numeric code, and accepts it once.
func TestPreviewOffer(t *testing.T) {
	iss, stop := oid4vcitest.Start()
	defer stop()
	w, err := OpenWallet(t.TempDir(), bytes.Repeat([]byte{6}, 32), nil)
	if err != nil {
		t.Fatal(err)
	}
	preview, err := w.PreviewOffer(iss.OfferURI())
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		PreviewID   string `json:"preview_id"`
		Issuer      string `json:"issuer"`
		Credentials []struct {
			VCT string `json:"vct"`
		} `json:"credentials"`
		TxCode *struct {
			InputMode string `json:"input_mode"`
			Length    int    `json:"length"`
		} `json:"tx_code"`
	}
	if err := json.Unmarshal([]byte(preview), &p); err != nil {
		t.Fatal(err)
	}
	if p.Issuer != iss.URL || len(p.Credentials) != 1 || p.Credentials[0].VCT != oid4vcitest.VCT ||
		p.TxCode == nil || p.TxCode.InputMode != "numeric" || p.TxCode.Length != 6 {
		t.Fatalf("preview %s", preview)
	}
	if list, _ := w.ListJSON(); list != "[]" {
		t.Fatalf("preview stored a credential: %s", list)
	}
	if _, err := w.AcceptPreviewedOffer(p.PreviewID, ""); ErrorCode(err) != "tx_code_required" {
		t.Fatalf("without code: %v", err)
	}
	ids, err := w.AcceptPreviewedOffer(p.PreviewID, iss.TxCode)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if json.Unmarshal([]byte(ids), &got); len(got) != 1 {
		t.Fatalf("ids %s", ids)
	}
	if _, err := w.AcceptPreviewedOffer(p.PreviewID, iss.TxCode); ErrorCode(err) != "not_found" {
		t.Fatalf("accepted twice: %v", err)
	}
}

// A release binding (built without -tags idgate_dev) refuses the plain-HTTP development option.
func TestDevelopmentWalletRefusedInRelease(t *testing.T) {
	if developmentBuild {
		t.Skip("built with -tags idgate_dev")
	}
	_, err := OpenDevelopmentWallet(t.TempDir(), bytes.Repeat([]byte{7}, 32), nil, nil, nil)
	if got := ErrorCode(err); got != "config" {
		t.Fatalf("code %q (%v), want config", got, err)
	}
}
