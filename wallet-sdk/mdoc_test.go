package walletsdk

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
)

func TestAcceptMdoc(t *testing.T) {
	iss := oid4vcitest.New(t)
	iss.Offered = []string{oid4vcitest.ConfigID, oid4vcitest.ConfigIDMdoc}
	dir, key := t.TempDir(), testKey()
	w, err := New(Config{Dir: dir, StoreKey: key})
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.PreviewOffer(context.Background(), iss.OfferURI())
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Credentials[1]; got.Format != FormatMdoc || got.DocType != oid4vcitest.DocType || got.VCT != "" {
		t.Fatalf("offered %+v", got)
	}
	creds, err := w.AcceptPreview(context.Background(), p, iss.TxCode)
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 2 || creds[0].Format != FormatSDJWT || creds[1].Format != FormatMdoc {
		t.Fatalf("creds %+v", creds)
	}
	c := creds[1]
	mdl, _ := c.Claims[mdoc.NamespaceMDL].(map[string]any)
	if c.DocType != oid4vcitest.DocType || c.Issuer != iss.URL || c.ConfigurationID != oid4vcitest.ConfigIDMdoc ||
		mdl["family_name"] != oid4vcitest.FamilyName || mdl["birth_date"] != "1984-01-26" || mdl["portrait"] != "/9j/2Q==" ||
		mdl["age_over_18"] != true || !slices.Contains(c.Disclosable, mdoc.NamespaceMDL+"/given_name") {
		t.Fatalf("mdoc %+v", c)
	}
	if !c.ExpiresAt.After(time.Now().Add(300*24*time.Hour)) || c.IssuedAt.IsZero() {
		t.Fatalf("validity %v..%v", c.IssuedAt, c.ExpiresAt)
	}
	// The claims are JSON as the mobile facade renders them.
	if _, err := json.Marshal(c.Claims); err != nil {
		t.Fatal(err)
	}

	// A second instance over the same directory finds it by docType and presents it with the
	// device key: the stored IssuerSigned is what mdoc.Present takes.
	w2, err := New(Config{Dir: dir, StoreKey: key})
	if err != nil {
		t.Fatal(err)
	}
	found, err := w2.FindCredential(oid4vcitest.DocType)
	if err != nil || found.ID != c.ID {
		t.Fatalf("FindCredential = %v, %v", found, err)
	}
	held, err := w2.heldMdocs(oid4vcitest.DocType)
	if err != nil || len(held) != 1 || held[0].ID != c.ID {
		t.Fatalf("heldMdocs = %v, %v", held, err)
	}
	signer, err := w2.keys.Signer(held[0].KeyID)
	if err != nil {
		t.Fatal(err)
	}
	st := []byte{0x83, 0xf6, 0xf6, 0xf6} // [null, null, null]: any well-formed transcript
	resp, err := mdoc.Present(held[0].IssuerSigned, mdoc.Request{mdoc.NamespaceMDL: {"family_name"}}, st, signer)
	if err != nil {
		t.Fatal(err)
	}
	v := &mdoc.Verifier{Trust: certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: oid4vcitest.DocType, Roots: []*x509.Certificate{iss.MdocIACA()}})}
	got, err := v.Verify(resp, mdoc.VerifyOptions{DocType: oid4vcitest.DocType, SessionTranscript: st})
	if err != nil {
		t.Fatal(err)
	}
	if fn, _ := got.Value(mdoc.NamespaceMDL, "family_name"); fn != oid4vcitest.FamilyName || len(got.Elements) != 1 {
		t.Fatalf("verified %+v", got.Elements)
	}

	// SD-JWT presentation refuses an mdoc rather than misreading it.
	if _, err := w2.Present(context.Background(), c.ID, PresentationRequest{Audience: "https://v.example", Nonce: "n", Claims: []string{"given_name"}}); CodeOf(err) != CodeVCTMismatch {
		t.Fatalf("Present(mdoc) = %v", err)
	}
	// Deleting it removes its device key too.
	if err := w2.Delete(c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w2.keys.Signer(held[0].KeyID); CodeOf(err) != CodeNotFound {
		t.Fatalf("device key after delete: %v", err)
	}
}

func TestAcceptMdocFailures(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(*oid4vcitest.Issuer)
		code  string
	}{
		{"bound to another key", func(d *oid4vcitest.Issuer) { d.BindOtherKey = true }, CodeKeyMismatch},
		{"other docType", func(d *oid4vcitest.Issuer) { d.IssueVCT = "org.iso.23220.photoid.1" }, CodeVCTMismatch},
		{"signature not by the DS", func(d *oid4vcitest.Issuer) { d.SignWithOther = true }, CodeBadSignature},
		{"expired on arrival", func(d *oid4vcitest.Issuer) { d.Exp = -time.Minute }, CodeInvalidCredential},
	} {
		t.Run(tt.name, func(t *testing.T) {
			iss := oid4vcitest.New(t)
			iss.Offered = []string{oid4vcitest.ConfigIDMdoc}
			tt.setup(iss)
			w := newTestWallet(t)
			if creds, err := w.AcceptOffer(context.Background(), iss.OfferURI(), iss.TxCode); CodeOf(err) != tt.code {
				t.Fatalf("got %+v, %v; want code %s", creds, err, tt.code)
			}
			if all, _ := w.Credentials(); len(all) != 0 {
				t.Fatalf("stored %d credentials", len(all))
			}
		})
	}
}

// A record without a format reads as an SD-JWT VC; a record mixing the two forms is refused.
func TestStoredCredentialFormats(t *testing.T) {
	iss := oid4vcitest.New(t)
	iss.Offered = []string{oid4vcitest.ConfigID, oid4vcitest.ConfigIDMdoc}
	w := newTestWallet(t)
	creds, err := w.AcceptOffer(context.Background(), iss.OfferURI(), iss.TxCode)
	if err != nil {
		t.Fatal(err)
	}
	sd, md := creds[0], creds[1]
	raw := func(id string) map[string]any {
		b, err := w.store.Get(kindCredentials, id)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	put := func(id string, m map[string]any) {
		b, _ := json.Marshal(m)
		if err := w.store.Put(kindCredentials, id, b); err != nil {
			t.Fatal(err)
		}
	}
	old := raw(sd.ID)
	delete(old, "format")
	put(sd.ID, old)
	if c, err := w.Credential(sd.ID); err != nil || c.Format != FormatSDJWT || c.Claims["given_name"] != oid4vcitest.GivenName {
		t.Fatalf("record without format: %+v, %v", c, err)
	}
	mixed := raw(md.ID)
	mixed["sd_jwt"] = old["sd_jwt"]
	put(md.ID, mixed)
	if _, err := w.Credential(md.ID); CodeOf(err) != CodeStoreTampered {
		t.Fatalf("mixed record: %v", err)
	}
}
