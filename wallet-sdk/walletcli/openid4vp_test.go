package walletcli

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vptest"
)

func TestWalletCLIPresentOpenID4VP(t *testing.T) {
	env := Env{Getenv: func(string) string { return "" }}
	iss := oid4vcitest.New(t)
	rp, stop, err := oid4vptest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	rp.IssuerKey = &iss.CA.LeafKey.PublicKey
	dir := filepath.Join(t.TempDir(), "w")
	if code, _, errs := run(t, env, "init", "--dir", dir); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, env, "accept-offer", "--dir", dir, iss.OfferURI(), "--tx-code", iss.TxCode); code != 0 {
		t.Fatal(errs)
	}
	trust := filepath.Join(t.TempDir(), "trust.json")
	root := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rp.Root.Raw}))
	tf, _ := json.Marshal(map[string]any{"anchors": []any{map[string]any{"purpose": "verifier", "scope": "*", "roots": []string{root}}}})
	if err := os.WriteFile(trust, tf, 0o600); err != nil {
		t.Fatal(err)
	}
	query := `{"credentials":[{"id":"employee","format":"dc+sd-jwt","meta":{"vct_values":["` + oid4vcitest.VCT + `"]},
		"claims":[{"path":["given_name"]}]}]}`

	tx, _ := rp.Create(query, oid4vp.ModeDirectPostJWT, "post")
	code, out, errs := run(t, env, "present", "--dir", dir, "--trust", trust, "--yes", rp.LinkFor(tx))
	if code != 0 || !strings.Contains(out, "verifier x509_san_dns:localhost") || !strings.Contains(out, `discloses ["given_name"]`) ||
		!strings.Contains(out, "redirect_uri ") || strings.Contains(out, oid4vcitest.GivenName) {
		t.Fatalf("present --yes: %d %q %s", code, out, errs)
	}
	if got := rp.Get(tx.ID); got.Claims["employee"]["given_name"] != oid4vcitest.GivenName {
		t.Fatalf("verifier result %+v", got)
	}

	tx, _ = rp.Create(query, oid4vp.ModeDirectPostJWT, "get")
	env.Stdin = strings.NewReader("n\n")
	code, out, _ = run(t, env, "present", "--dir", dir, "--trust", trust, rp.LinkFor(tx))
	if code != 1 || !strings.Contains(out, "present? [y/N]") || rp.Get(tx.ID).WalletError != "access_denied" {
		t.Fatalf("declined: %d %q %+v", code, out, rp.Get(tx.ID))
	}

	tx, _ = rp.Create(query, oid4vp.ModeDirectPostJWT, "get")
	env.Stdin = strings.NewReader("y\n")
	if code, out, errs = run(t, env, "present", "--dir", dir, "--trust", trust, rp.LinkFor(tx)); code != 0 {
		t.Fatalf("consented: %d %q %s", code, out, errs)
	}

	tx, _ = rp.Create(query, oid4vp.ModeDirectPostJWT, "get")
	tx.SignWith, _ = oid4vptest.OtherSigner()
	code, _, errs = run(t, env, "present", "--dir", dir, "--trust", trust, "--yes", rp.LinkFor(tx))
	if code != 1 || !strings.Contains(errs, "untrusted_verifier") || rp.Get(tx.ID).Done {
		t.Fatalf("untrusted verifier: %d %s", code, errs)
	}
	if code, _, errs = run(t, env, "present", "--dir", dir, "--yes", rp.LinkFor(tx)); code != 2 {
		t.Fatalf("link without --trust: %d %s", code, errs)
	}
}

// `wallet present openid4vp://…` answers an mso_mdoc query with the held mdoc licence: the
// preview names the doctype and [namespace, element] paths, the verifier double verifies the
// DeviceResponse over the request's transcript and reads exactly that element.
func TestWalletCLIPresentOpenID4VPMdoc(t *testing.T) {
	env := Env{Getenv: func(string) string { return "" }}
	iss := oid4vcitest.New(t)
	iss.Offered = []string{oid4vcitest.ConfigIDMdoc}
	rp, stop, err := oid4vptest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	rp.MdocTrust = certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: mdoc.DocTypeMDL, Roots: []*x509.Certificate{iss.MdocIACA()}})
	dir := filepath.Join(t.TempDir(), "w")
	if code, _, errs := run(t, env, "init", "--dir", dir); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, env, "accept-offer", "--dir", dir, iss.OfferURI(), "--tx-code", iss.TxCode); code != 0 {
		t.Fatal(errs)
	}
	trust := filepath.Join(t.TempDir(), "trust.json")
	root := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rp.Root.Raw}))
	tf, _ := json.Marshal(map[string]any{"anchors": []any{map[string]any{"purpose": "verifier", "scope": "*", "roots": []string{root}}}})
	if err := os.WriteFile(trust, tf, 0o600); err != nil {
		t.Fatal(err)
	}
	tx, _ := rp.Create(`{"credentials":[{"id":"mdl","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},
		"claims":[{"path":["org.iso.18013.5.1","age_over_18"]}]}]}`, oid4vp.ModeDirectPostJWT, "post")
	code, out, errs := run(t, env, "present", "--dir", dir, "--trust", trust, "--yes", rp.LinkFor(tx))
	if code != 0 || !strings.Contains(out, "("+mdoc.DocTypeMDL+" from ") || !strings.Contains(out, `discloses ["org.iso.18013.5.1","age_over_18"]`) {
		t.Fatalf("present --yes: %d %q %s", code, out, errs)
	}
	got := rp.Get(tx.ID)
	if ns, _ := got.Claims["mdl"][mdoc.NamespaceMDL].(map[string]any); got.Err != nil || len(ns) != 1 || ns["age_over_18"] != true {
		t.Fatalf("verifier result %+v", got)
	}
}
