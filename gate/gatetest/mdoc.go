package gatetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"slices"
	"testing"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/mdoc"
)

// MdocPKI is an ISO/IEC 18013-5 issuing authority for tests: an IACA root and an mDL Document
// Signer under it, shaped as Annex B says (certs.NewIACA, certs.NewDocumentSigner), and a trust
// list that trusts the IACA for the mDL doctype.
type MdocPKI struct {
	IACA  *x509.Certificate
	DS    certs.Signer
	Trust *certs.TrustList
}

// NewMdocPKI generates an issuing authority of country "UT". A second one is an IACA the
// World's gate does not trust.
func NewMdocPKI(t testing.TB) *MdocPKI {
	t.Helper()
	a := certs.MdocAuthority{Country: "UT", Organization: "idgate test", IssuerURL: "https://issuer.idgate.test",
		Now: time.Now().Add(-7 * 24 * time.Hour)} // certificates valid at any MSO signed time a test uses
	iacaKey, dsKey := newKey(t), newKey(t)
	iaca, err := certs.NewIACA(a, iacaKey)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := certs.NewDocumentSigner(a, iaca, iacaKey, &dsKey.PublicKey, "idgate test mDL DS")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := certs.NewSigner(dsKey, []*x509.Certificate{ds})
	if err != nil {
		t.Fatal(err)
	}
	trust := certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: mdoc.DocTypeMDL, Roots: []*x509.Certificate{iaca}})
	return &MdocPKI{IACA: iaca, DS: signer, Trust: trust}
}

// MdocVerifier verifies DeviceResponses under the World's IACA.
func (w *World) MdocVerifier() *mdoc.Verifier { return &mdoc.Verifier{Trust: w.Mdoc.Trust} }

// MdocPassenger is a traveller whose ID is the mDL as an mdoc: the IssuerSigned the wallet
// holds, its device key, and the face sealed into org.idgate.mdl.1 face_template.
type MdocPassenger struct {
	IssuerSigned []byte
	Device       *ecdsa.PrivateKey
	Face         biometric.Template
	Family       string
	Given        string
	StatusIdx    int
	omit         []string
}

// MdocOpts adjusts an mdoc ID.
type MdocOpts struct {
	Signer     certs.Signer // default: the World's Document Signer
	ValidUntil time.Time    // default: a year from now; in the past, the MSO is expired
	Omit       []string     // element identifiers left out of the mdoc
}

// MdocPassenger issues an mDL mdoc for family/given names with a fresh face template sealed to
// the World's reader key and a fresh status list entry.
func (w *World) MdocPassenger(t testing.TB, family, given string) *MdocPassenger {
	return w.MdocPassengerWith(t, family, given, MdocOpts{})
}

// MdocPassengerWith issues an mdoc ID as MdocPassenger does, adjusted by o.
func (w *World) MdocPassengerWith(t testing.TB, family, given string, o MdocOpts) *MdocPassenger {
	t.Helper()
	if o.Signer == nil {
		o.Signer = w.Mdoc.DS
	}
	now := time.Now().Truncate(time.Second)
	signed := now.Add(-time.Hour)
	if o.ValidUntil.IsZero() {
		o.ValidUntil = now.Add(365 * 24 * time.Hour)
	}
	if !signed.Before(o.ValidUntil) {
		signed = o.ValidUntil.Add(-24 * time.Hour)
	}
	face := w.Template()
	sealed, err := biometric.Seal(face, &w.ReaderKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	slot := w.Env.Slot()
	device := newKey(t)
	ns := map[string]map[string]any{
		mdoc.NamespaceMDL: {
			"family_name": family, "given_name": given, "birth_date": mdoc.FullDate("1990-05-17"),
			"issue_date": mdoc.FullDate("2026-01-01"), "expiry_date": mdoc.FullDate("2036-01-01"),
			"issuing_country": "UT", "issuing_authority": "Utopia DMV", "document_number": "D1234567",
			"portrait": []byte{0xff, 0xd8, 0xff, 0xd9}, "un_distinguishing_sign": "UTO",
			"driving_privileges": []any{map[string]any{"vehicle_category_code": "B"}},
		},
		mdoc.NamespaceIDGate: {mdoc.ElementFaceTemplate: sealed},
	}
	for _, id := range o.Omit {
		for _, elems := range ns {
			delete(elems, id)
		}
	}
	is, err := mdoc.Issue(mdoc.IssueInput{
		DocType: mdoc.DocTypeMDL, NameSpaces: ns, DeviceKey: &device.PublicKey,
		Signed: signed, ValidFrom: signed, ValidUntil: o.ValidUntil,
		Status: &mdoc.StatusListRef{Idx: uint64(slot.Index), URI: slot.URI},
	}, o.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return &MdocPassenger{IssuerSigned: is, Device: device, Face: face, Family: family, Given: given, StatusIdx: slot.Index, omit: o.Omit}
}

// Present is the passenger's DeviceResponse (base64url, as a request's mdoc member carries it)
// disclosing what the mdoc holds of gate.MdocRequest, device-signed over
// gate.MdocSessionTranscript for n's audience and nonce.
func (p *MdocPassenger) Present(t testing.TB, n gate.Nonce) string {
	t.Helper()
	return p.PresentFor(t, n.Audience, n.Nonce)
}

// PresentFor is Present over the transcript of audience and nonce (another gate's, say).
func (p *MdocPassenger) PresentFor(t testing.TB, audience, nonce string) string {
	t.Helper()
	st, err := gate.MdocSessionTranscript(audience, nonce)
	if err != nil {
		t.Fatal(err)
	}
	req := gate.MdocRequest()
	held := mdoc.Request{}
	for ns, ids := range req {
		for _, id := range ids {
			if !slices.Contains(p.omit, id) {
				held[ns] = append(held[ns], id)
			}
		}
	}
	resp, err := mdoc.Present(p.IssuerSigned, held, st, p.Device)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(resp)
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
