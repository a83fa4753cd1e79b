package issuer

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/mdoc"
)

// newMdocService is a Service offering only the mdoc licence, under a Document Signer of
// country UT.
func newMdocService(t testing.TB) *Service {
	t.Helper()
	fx := newDomainFixture(t)
	a := certs.MdocAuthority{Country: "UT", Organization: "idgate test", IssuerURL: fx.url, Now: time.Now()}
	iacaKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	iaca, err := certs.NewIACA(a, iacaKey)
	if err != nil {
		t.Fatal(err)
	}
	dsKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ds, err := certs.NewDocumentSigner(a, iaca, iacaKey, &dsKey.PublicKey, "idgate test DS")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := certs.NewSigner(dsKey, []*x509.Certificate{ds})
	if err != nil {
		t.Fatal(err)
	}
	cfg := fx.svc.cfg
	cfg.Store, cfg.DocumentSigner, cfg.PortraitKey = memory.New(), signer, bytes.Repeat([]byte{7}, PortraitKeySize)
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// FuzzMdocAttributes: whatever enrolment attributes the mdoc check accepts, the mdoc is signed
// from and decodes again with every element; nothing panics.
func FuzzMdocAttributes(f *testing.F) {
	svc := newMdocService(f)
	f.Add([]byte(`{"family_name":"Mustermann","given_name":"Erika","birth_date":"1990-05-17","issuing_country":"UT",
		"issuing_authority":"Utopia DMV","document_number":"D1","issue_date":"2026-01-01","expiry_date":"2036-01-01",
		"un_distinguishing_sign":"UTO","sex":2,"height":172,"portrait_capture_date":"2025-12-01","eye_colour":"blue",
		"driving_privileges":[{"vehicle_category_code":"B","issue_date":"2010-01-01","codes":[{"code":"78","sign":"=","value":"a"}]}]}`))
	f.Add([]byte(`{"birth_date":"2030-01-01","issuing_country":"UT","driving_privileges":[{}]}`))
	f.Add([]byte(`{"sex":1.5,"height":-1,"issuing_jurisdiction":"UT"}`))
	portrait := []byte{0xff, 0xd8, 0xff, 0xe0, 'j', 'p', 'e', 'g'}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var attrs map[string]any
		if json.Unmarshal(raw, &attrs) != nil || attrs == nil {
			return
		}
		if err := svc.checkMdocEnrolment(attrs, portrait, at); err != nil {
			if AsError(err).Code != CodeInvalidRequest {
				t.Fatalf("refused with %v, want invalid_request", err)
			}
			return
		}
		claims, err := svc.mdocClaims(attrs, at)
		if err != nil {
			t.Fatal(err)
		}
		ns, err := mdocNameSpaces(claims, portrait, at)
		if err != nil {
			t.Fatal(err)
		}
		is, err := mdoc.Issue(mdoc.IssueInput{DocType: mdoc.DocTypeMDL, NameSpaces: ns, DeviceKey: &key.PublicKey,
			Signed: at, ValidFrom: at, ValidUntil: at.Add(time.Hour)}, svc.cfg.DocumentSigner)
		if err != nil {
			t.Fatalf("accepted attributes the mdoc cannot carry: %v", err)
		}
		h, err := mdoc.CheckIssuerSigned(is)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, elems := range ns {
			n += len(elems)
		}
		if len(h.Elements) != n {
			t.Fatalf("%d elements signed, %d decoded", n, len(h.Elements))
		}
	})
}

// TestMdocNameSpacesTypes: each attribute's CBOR type, as ISO/IEC 18013-5 Table 5 gives it.
func TestMdocNameSpacesTypes(t *testing.T) {
	svc := newMdocService(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	attrs := map[string]any{"family_name": "M", "given_name": "E", "birth_date": "2008-12-08", "issuing_country": "UT",
		"issuing_authority": "A", "document_number": "D", "issue_date": "2026-01-01", "expiry_date": "2036-01-01",
		"un_distinguishing_sign": "UTO", "weight": json.Number("70"), "photo_ref": "https://x",
		"driving_privileges": []any{map[string]any{"vehicle_category_code": "B"}}, credential.FaceTemplateClaim: "a.b.c.d.e"}
	claims, err := svc.mdocClaims(attrs, at)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := mdocNameSpaces(claims, []byte{0xff, 0xd8, 0xff}, at)
	if err != nil {
		t.Fatal(err)
	}
	mdl := ns[mdoc.NamespaceMDL]
	for k, want := range map[string]any{
		"birth_date": mdoc.FullDate("2008-12-08"), "weight": uint64(70), "age_in_years": uint64(17),
		"age_over_16": true, "age_over_18": false, "age_birth_year": uint64(2008),
	} {
		if mdl[k] != want {
			t.Errorf("%s = %#v, want %#v", k, mdl[k], want)
		}
	}
	if _, ok := mdl["photo_ref"]; ok {
		t.Error("photo_ref is no mDL element")
	}
	if ns[mdoc.NamespaceIDGate][mdoc.ElementFaceTemplate] != "a.b.c.d.e" {
		t.Errorf("face_template %v", ns[mdoc.NamespaceIDGate])
	}
}
