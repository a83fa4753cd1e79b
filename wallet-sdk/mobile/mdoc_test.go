package mobile

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vptest"
)

// An mdoc offered beside an SD-JWT VC shows in the preview and in ListJSON by its format and
// doctype, its elements per namespace.
func TestMdocJSON(t *testing.T) {
	iss, stop := oid4vcitest.Start()
	defer stop()
	iss.Offered = []string{oid4vcitest.ConfigID, oid4vcitest.ConfigIDMdoc}
	w, err := OpenWallet(t.TempDir(), bytes.Repeat([]byte{7}, 32), nil)
	if err != nil {
		t.Fatal(err)
	}
	preview, err := w.PreviewOffer(iss.OfferURI())
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		PreviewID   string `json:"preview_id"`
		Credentials []struct {
			Format  string `json:"format"`
			VCT     string `json:"vct"`
			DocType string `json:"doctype"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal([]byte(preview), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Credentials) != 2 || p.Credentials[0].Format != "dc+sd-jwt" || p.Credentials[0].VCT != oid4vcitest.VCT ||
		p.Credentials[1].Format != "mso_mdoc" || p.Credentials[1].DocType != oid4vcitest.DocType || p.Credentials[1].VCT != "" {
		t.Fatalf("preview %s", preview)
	}
	if _, err := w.AcceptPreviewedOffer(p.PreviewID, iss.TxCode); err != nil {
		t.Fatal(err)
	}
	id, err := w.FindCredentialID(oid4vcitest.DocType)
	if err != nil {
		t.Fatal(err)
	}
	one, err := w.CredentialJSON(id)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Format      string                    `json:"format"`
		DocType     string                    `json:"doctype"`
		Claims      map[string]map[string]any `json:"claims"`
		Disclosable []string                  `json:"disclosable"`
	}
	if err := json.Unmarshal([]byte(one), &c); err != nil {
		t.Fatal(err)
	}
	mdl := c.Claims["org.iso.18013.5.1"]
	if c.Format != "mso_mdoc" || c.DocType != oid4vcitest.DocType || mdl["given_name"] != oid4vcitest.GivenName ||
		mdl["portrait"] != "/9j/2Q==" || mdl["expiry_date"] != "2036-01-01" || len(c.Disclosable) != len(mdl) {
		t.Fatalf("credential %s", one)
	}
}

// An app answers an mso_mdoc query with the held mdoc: the consent JSON names the format,
// doctype and [namespace, element] paths, and RespondVP sends the DeviceResponse the verifier
// double verifies.
func TestMdocResolveRespondVP(t *testing.T) {
	iss, stop := oid4vcitest.Start()
	defer stop()
	iss.Offered = []string{oid4vcitest.ConfigIDMdoc}
	rp, stopRP, err := oid4vptest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer stopRP()
	rp.MdocTrust = certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: mdoc.DocTypeMDL, Roots: []*x509.Certificate{iss.MdocIACA()}})
	roots := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rp.Root.Raw})
	w, err := OpenWalletWithRoots(t.TempDir(), bytes.Repeat([]byte{7}, 32), roots, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AcceptOffer(iss.OfferURI(), iss.TxCode); err != nil {
		t.Fatal(err)
	}
	tx, _ := rp.Create(`{"credentials":[{"id":"mdl","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},
		"claims":[{"path":["org.iso.18013.5.1","age_over_18"]}]}]}`, oid4vp.ModeDirectPostJWT, "post")
	preview, err := w.ResolveVP(rp.LinkFor(tx))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		RequestID string `json:"request_id"`
		Queries   []struct {
			Candidates []struct {
				Format    string `json:"format"`
				DocType   string `json:"doctype"`
				Disclosed []struct {
					Path   json.RawMessage `json:"path"`
					Values []any           `json:"values"`
				} `json:"disclosed"`
			} `json:"candidates"`
		} `json:"queries"`
	}
	if err := json.Unmarshal([]byte(preview), &p); err != nil || len(p.Queries) != 1 || len(p.Queries[0].Candidates) != 1 {
		t.Fatalf("preview %s", preview)
	}
	c := p.Queries[0].Candidates[0]
	if c.Format != "mso_mdoc" || c.DocType != mdoc.DocTypeMDL || len(c.Disclosed) != 1 ||
		string(c.Disclosed[0].Path) != `["org.iso.18013.5.1","age_over_18"]` || c.Disclosed[0].Values[0] != true {
		t.Fatalf("preview %s", preview)
	}
	if _, err := w.RespondVP(p.RequestID, ""); err != nil {
		t.Fatal(err)
	}
	got := rp.Get(tx.ID)
	if ns, _ := got.Claims["mdl"][mdoc.NamespaceMDL].(map[string]any); got.Err != nil || len(ns) != 1 || ns["age_over_18"] != true {
		t.Fatalf("verifier read %+v", got)
	}
}
