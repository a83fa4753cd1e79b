package walletsdk

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"io/fs"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/internal/facephotos"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/issuerhttp"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/statuslist"
)

// sealedFace stands in for the dlib face enroller (a cgo system edge, tested in
// biometric/face): it "seals" any photo to a fixed JWE-shaped string.
type sealedFace struct{}

func (sealedFace) EnrolFace([]byte) (string, error) {
	return "eyJhbGciOiJFQ0RILUVTK0EyNTZLVyJ9.k.iv.ct.tag", nil
}

// The real issuer, over HTTP on loopback, issues the mDL as an mdoc to the wallet; the held
// mdoc, presented with mdoc.Present over an OpenID4VP transcript, verifies under the IACA;
// revoking it at the issuer makes mdoc.CheckStatus (and the wallet's CredentialStatus) say
// revoked.
func TestMdocRealIssuer(t *testing.T) {
	ctx := t.Context()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	ca := certstest.NewCA(t)
	a := certs.MdocAuthority{Country: "UT", Organization: "idgate test", IssuerURL: url, Now: time.Now()}
	iacaKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	iaca, err := certs.NewIACA(a, iacaKey)
	if err != nil {
		t.Fatal(err)
	}
	dsKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dsCert, err := certs.NewDocumentSigner(a, iaca, iacaKey, &dsKey.PublicKey, "idgate test DS")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := certs.NewSigner(dsKey, []*x509.Certificate{dsCert})
	if err != nil {
		t.Fatal(err)
	}
	store := memory.New()
	portraitKey := make([]byte, issuer.PortraitKeySize)
	rand.Read(portraitKey)
	svc, err := issuer.New(issuer.Config{
		Store: store, PublicURL: url,
		Signers: map[credential.Type]certs.Signer{
			credential.DrivingLicence: ca.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(url)),
		},
		StatusSigner:   ca.Issue(t, "idgate Status List Signer", certstest.WithURI(url)),
		DocumentSigner: ds, PortraitKey: portraitKey, Faces: sealedFace{},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = issuerhttp.Handler(svc, issuerhttp.Config{})
	srv.Start()
	t.Cleanup(srv.Close)

	portrait, err := fs.ReadFile(facephotos.FS(), facephotos.Portrait)
	if err != nil {
		t.Fatal(err)
	}
	holder, err := svc.Enrol(ctx, "test", []credential.Type{credential.DrivingLicence, issuer.MdocMDL}, map[string]any{
		"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
		"issuing_country": "UT", "issuing_authority": "Utopia DMV", "document_number": "D1234567",
		"issue_date": "2026-01-01", "expiry_date": "2036-01-01", "un_distinguishing_sign": "UTO",
		"driving_privileges": []any{map[string]any{"vehicle_category_code": "B"}},
	}, portrait)
	if err != nil {
		t.Fatal(err)
	}
	offer, err := svc.CreateOffer(ctx, "test", holder.ID, issuer.MdocMDL)
	if err != nil {
		t.Fatal(err)
	}
	statusTrust := certs.NewTrustList(ca.Anchor(certs.PurposeStatusList, "*"))
	w, err := New(Config{Dir: t.TempDir(), StoreKey: make([]byte, 32), StatusTrust: statusTrust})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := w.AcceptOffer(ctx, offer.URI, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 || creds[0].Format != FormatMdoc || creds[0].DocType != mdoc.DocTypeMDL {
		t.Fatalf("held %+v", creds)
	}
	mdl, _ := creds[0].Claims[mdoc.NamespaceMDL].(map[string]any)
	if mdl["family_name"] != "Mustermann" || mdl["age_over_21"] != true || mdl["un_distinguishing_sign"] != "UTO" {
		t.Fatalf("claims %v", creds[0].Claims)
	}

	// Present the held mdoc over an OpenID4VP transcript; the verifier trusts the IACA.
	held, err := w.heldMdocs(mdoc.DocTypeMDL)
	if err != nil || len(held) != 1 {
		t.Fatalf("held mdocs %v, %v", held, err)
	}
	device, err := w.keys.Signer(held[0].KeyID)
	if err != nil {
		t.Fatal(err)
	}
	st, err := oid4vp.SessionTranscript("x509_san_dns:rental.example", "nonce-1", nil, "https://rental.example/response")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := mdoc.Present(held[0].IssuerSigned, mdoc.Request{
		mdoc.NamespaceMDL: {"family_name", "portrait", "age_over_21"}, mdoc.NamespaceIDGate: {mdoc.ElementFaceTemplate},
	}, st, device)
	if err != nil {
		t.Fatal(err)
	}
	v := &mdoc.Verifier{Trust: certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: mdoc.DocTypeMDL, Roots: []*x509.Certificate{iaca}})}
	verified, err := v.Verify(resp, mdoc.VerifyOptions{DocType: mdoc.DocTypeMDL, SessionTranscript: st})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := verified.Value(mdoc.NamespaceMDL, "portrait"); string(p.([]byte)) != string(portrait) {
		t.Fatal("the presented portrait is not the enrolment JPEG")
	}
	if len(verified.Elements) != 4 {
		t.Fatalf("disclosed %d elements, want the 4 asked for", len(verified.Elements))
	}
	other, _ := oid4vp.SessionTranscript("x509_san_dns:rental.example", "nonce-2", nil, "https://rental.example/response")
	if _, err := v.Verify(resp, mdoc.VerifyOptions{DocType: mdoc.DocTypeMDL, SessionTranscript: other}); mdoc.CodeOf(err) != mdoc.CodeDeviceAuthInvalid {
		t.Fatalf("replayed to another nonce: %v", err)
	}

	checker := func() *statuslist.Checker {
		return statuslist.NewChecker(statuslist.CheckerConfig{Trust: statusTrust})
	}
	if err := mdoc.CheckStatus(ctx, checker(), verified); err != nil {
		t.Fatalf("status before revocation: %v", err)
	}
	issued, err := store.ListCredentials(ctx, storage.CredentialFilter{HolderID: holder.ID})
	if err != nil || len(issued) != 1 || issued[0].VCT != mdoc.DocTypeMDL {
		t.Fatalf("issuer credentials %v, %v", issued, err)
	}
	if _, err := svc.SetStatus(ctx, "test", issued[0].ID, "revoke"); err != nil {
		t.Fatal(err)
	}
	if err := mdoc.CheckStatus(ctx, checker(), verified); mdoc.CodeOf(err) != mdoc.CodeRevoked {
		t.Fatalf("status after revocation: %v, want %s", err, mdoc.CodeRevoked)
	}
	if got, err := w.CredentialStatus(ctx, creds[0].ID); err != nil || got != StatusRevoked {
		t.Fatalf("wallet status: %q, %v", got, err)
	}
}
