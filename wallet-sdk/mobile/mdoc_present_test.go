package mobile_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
	"github.com/idgate/idgate/wallet-sdk/mobile"
)

// An app presents the held mdoc, its device key in the platform, to a gate from the gate's
// request JSON: the DeviceResponse verifies over the gate's handover with exactly the requested
// elements and not over another nonce; a malformed or incomplete request, an element not held,
// an SD-JWT VC and a platform signing with another key are refused with their codes.
func TestPresentMdoc(t *testing.T) {
	iss, stop := oid4vcitest.Start()
	defer stop()
	iss.Offered = []string{oid4vcitest.ConfigID, oid4vcitest.ConfigIDMdoc}
	keys := &platform{spki: true, sig: "der"}
	w, err := mobile.OpenWallet(t.TempDir(), bytes.Repeat([]byte{7}, 32), keys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AcceptOffer(iss.OfferURI(), iss.TxCode); err != nil {
		t.Fatal(err)
	}
	mdocID, err := w.FindCredentialID(oid4vcitest.DocType)
	if err != nil {
		t.Fatal(err)
	}
	sdjwtID, err := w.FindCredentialID(oid4vcitest.VCT)
	if err != nil {
		t.Fatal(err)
	}
	const aud = "https://verifier.example/gates/A1"
	const req = `{"client_id":"` + aud + `","nonce":"n-1","response_uri":"` + aud + `",
		"elements":{"org.iso.18013.5.1":["family_name","age_over_18"]}}`
	b64, err := w.PresentMdoc(mdocID, req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	v := &mdoc.Verifier{Trust: certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: oid4vcitest.DocType, Roots: []*x509.Certificate{iss.MdocIACA()}})}
	for nonce, ok := range map[string]bool{"n-1": true, "n-2": false} {
		st, _ := oid4vp.SessionTranscript(aud, nonce, nil, aud)
		got, err := v.Verify(resp, mdoc.VerifyOptions{DocType: oid4vcitest.DocType, SessionTranscript: st})
		if (err == nil) != ok {
			t.Fatalf("nonce %s: %v", nonce, err)
		}
		if ok && (len(got.Elements) != 2 || !disclosed(got, "family_name") || !disclosed(got, "age_over_18")) {
			t.Fatalf("disclosed %+v", got.Elements)
		}
	}
	for name, c := range map[string]struct{ id, req, code string }{
		"not JSON":         {mdocID, `client_id=x`, "invalid_request"},
		"unknown member":   {mdocID, `{"client_id":"a","nonce":"n","responseUri":"a","elements":{"org.iso.18013.5.1":["age_over_18"]}}`, "invalid_request"},
		"trailing data":    {mdocID, req + `{}`, "invalid_request"},
		"no nonce":         {mdocID, `{"client_id":"a","response_uri":"a","elements":{"org.iso.18013.5.1":["age_over_18"]}}`, "invalid_request"},
		"no elements":      {mdocID, `{"client_id":"a","nonce":"n","response_uri":"a","elements":{}}`, "invalid_request"},
		"element not held": {mdocID, `{"client_id":"a","nonce":"n","response_uri":"a","elements":{"org.iso.18013.5.1":["no_such_element"]}}`, "claim_not_available"},
		"an SD-JWT VC":     {sdjwtID, req, "vct_mismatch"},
		"unknown id":       {"nope", req, "not_found"},
	} {
		if _, err := w.PresentMdoc(c.id, c.req); mobile.ErrorCode(err) != c.code {
			t.Errorf("%s: %v (code %q), want %s", name, err, mobile.ErrorCode(err), c.code)
		}
	}
	keys.sig = "wrong"
	if _, err := w.PresentMdoc(mdocID, req); mobile.ErrorCode(err) != "key_store" {
		t.Fatalf("a platform signing with another key: %v", err)
	}
}

func disclosed(v *mdoc.Verified, id string) bool {
	_, ok := v.Value(mdoc.NamespaceMDL, id)
	return ok
}
