package walletsdk

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
)

// TestPresentMdoc: a held mdoc is presented with exactly the requested elements over the
// Appendix B handover of the reader's values, and verifies there; not for another reader's
// values; an element it does not hold, an SD-JWT VC or an incomplete request is refused.
func TestPresentMdoc(t *testing.T) {
	iss := oid4vcitest.New(t)
	iss.Offered = []string{oid4vcitest.ConfigID, oid4vcitest.ConfigIDMdoc}
	w, err := New(Config{Dir: t.TempDir(), StoreKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := w.AcceptOffer(context.Background(), iss.OfferURI(), iss.TxCode)
	if err != nil || len(creds) != 2 {
		t.Fatalf("accept: %v %v", creds, err)
	}
	sdjwtID, mdocID := creds[0].ID, creds[1].ID
	const aud = "https://verifier.example/gates/A1"
	req := MdocPresentationRequest{ClientID: aud, Nonce: "n-1", ResponseURI: aud,
		Elements: map[string][]string{mdoc.NamespaceMDL: {"family_name", "age_over_18"}}}
	b64, err := w.PresentMdoc(context.Background(), mdocID, req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	v := &mdoc.Verifier{Trust: certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: oid4vcitest.DocType, Roots: []*x509.Certificate{iss.MdocIACA()}})}
	for _, c := range []struct {
		name      string
		aud, once string
		ok        bool
	}{{"the reader's values", aud, "n-1", true}, {"another gate", aud + "x", "n-1", false}, {"another nonce", aud, "n-2", false}} {
		st, _ := oid4vp.SessionTranscript(c.aud, c.once, nil, c.aud)
		got, err := v.Verify(resp, mdoc.VerifyOptions{DocType: oid4vcitest.DocType, SessionTranscript: st})
		if (err == nil) != c.ok {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.ok && len(got.Elements) != 2 {
			t.Fatalf("%s: disclosed %+v", c.name, got.Elements)
		}
	}
	for name, c := range map[string]struct {
		id   string
		req  MdocPresentationRequest
		code string
	}{
		"element not held": {mdocID, MdocPresentationRequest{ClientID: aud, Nonce: "n", ResponseURI: aud, Elements: map[string][]string{mdoc.NamespaceMDL: {"no_such_element"}}}, CodeClaimNotAvailable},
		"an SD-JWT VC":     {sdjwtID, req, CodeVCTMismatch},
		"no nonce":         {mdocID, MdocPresentationRequest{ClientID: aud, ResponseURI: aud, Elements: req.Elements}, CodeInvalidRequest},
		"no elements":      {mdocID, MdocPresentationRequest{ClientID: aud, Nonce: "n", ResponseURI: aud}, CodeInvalidRequest},
		"unknown id":       {"nope", req, CodeNotFound},
	} {
		if _, err := w.PresentMdoc(context.Background(), c.id, c.req); CodeOf(err) != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
}
