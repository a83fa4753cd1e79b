package mobile

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
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
