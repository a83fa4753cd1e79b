package walletsdk_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vptest"
)

// TestMDLInteropWalletOpenID4VP: @auth0/mdl 3.0.1 (test/mdl, run by scripts/mdl-interop.sh
// with IDGATE_MDL_NODE_DIR set) verifies the DeviceResponse idgate's wallet posted for an
// OpenID4VP direct_post.jwt transaction, over the SessionTranscript it computes itself from
// the request's client_id, nonce, encryption key and response_uri; for another nonce it
// refuses it.
func TestMDLInteropWalletOpenID4VP(t *testing.T) {
	dir := os.Getenv("IDGATE_MDL_NODE_DIR")
	if dir == "" {
		t.Skip("IDGATE_MDL_NODE_DIR unset: @auth0/mdl interop runs in scripts/mdl-interop.sh")
	}
	iss := oid4vcitest.New(t)
	iss.Offered = []string{oid4vcitest.ConfigIDMdoc}
	v, stop, err := oid4vptest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	v.MdocTrust = certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: mdoc.DocTypeMDL, Roots: []*x509.Certificate{iss.MdocIACA()}})
	w, err := walletsdk.New(walletsdk.Config{Dir: t.TempDir(), StoreKey: make([]byte, 32), VerifierTrust: v.Trust})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := w.AcceptOffer(ctx, iss.OfferURI(), iss.TxCode); err != nil {
		t.Fatal(err)
	}
	tx, err := v.Create(ageQuery, oid4vp.ModeDirectPostJWT, "post")
	if err != nil {
		t.Fatal(err)
	}
	req, err := w.ResolveVP(ctx, v.LinkFor(tx))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.RespondVP(ctx, req, nil); err != nil {
		t.Fatal(err)
	}
	got := v.Get(tx.ID)
	if got.Err != nil || len(got.VPToken["mdl"]) != 1 {
		t.Fatalf("the double refused the response: %v", got.Err)
	}
	resp, err := base64.RawURLEncoding.DecodeString(got.VPToken["mdl"][0])
	if err != nil {
		t.Fatal(err)
	}
	jwk := tx.Key.PublicJWK()
	in := map[string]any{
		"op": "verify-oid4vp", "response": hex.EncodeToString(resp), "clientId": tx.Request.ClientID, "nonce": tx.Request.Nonce,
		"jwk": jwk, "responseUri": tx.Request.ResponseURI, "nameSpace": mdoc.NamespaceMDL,
		"iaca": string(certs.EncodeCertsPEM([]*x509.Certificate{iss.MdocIACA()})),
	}
	res := runMDLNode(t, dir, in)
	claims, _ := res["claims"].(map[string]any)
	if res["ok"] != true || len(claims) != 2 || claims["age_over_18"] != true || claims["family_name"] != oid4vcitest.FamilyName {
		t.Fatalf("@auth0/mdl: %v", res)
	}
	in["nonce"] = oid4vp.NewNonce()
	if res := runMDLNode(t, dir, in); res["ok"] == true {
		t.Fatal("@auth0/mdl accepted the DeviceResponse for another nonce")
	}
}

func runMDLNode(t *testing.T, dir string, in map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(in)
	cmd := exec.Command("node", filepath.Join(dir, "interop.mjs"))
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v: %s", err, stderr.String())
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	return res
}
