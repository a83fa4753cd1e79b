package main

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/keyattest"
)

// The key attestation flags become the issuer's policy: the named configurations, the levels
// at or above the minimum, the PKI's wallet provider trusted.
func TestKeyAttestationFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	pki, _, err := certs.Init(dir, certs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := keyAttestationOptions{required: "mdl, employee-id,org.iso.18013.5.1.mDL", keyStorage: "moderate", userAuthentication: "iso_18045_high"}.config(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := cfg.Required["mdl"]
	_, mdoc := cfg.Required["org.iso.18013.5.1.mDL"]
	if _, emp := cfg.Required["employee-id"]; !ok || !emp || !mdoc || cfg.Trust == nil || cfg.Status == nil ||
		!slices.Equal(p.KeyStorage, []string{keyattest.ISO18045High, keyattest.ISO18045Moderate}) ||
		!slices.Equal(p.UserAuthentication, []string{keyattest.ISO18045High}) {
		t.Fatalf("config %+v", cfg)
	}
	if _, err := cfg.Trust.Verify(certs.PurposeWalletProvider, "*", pki.WalletProvider.Chain(), time.Now()); err != nil {
		t.Fatal(err)
	}
	none, err := keyAttestationOptions{}.config(dir)
	if err != nil || len(none.Required) != 0 {
		t.Fatalf("no flags: %+v %v", none, err)
	}
}
