package mdoc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
)

// fixture is an in-process mdoc PKI: an IACA and a Document Signer shaped as Annex B says, a
// holder device key and a trust list trusting the IACA for the mDL.
type fixture struct {
	iaca      *x509.Certificate
	iacaKey   *ecdsa.PrivateKey
	ds        certs.Signer
	device    *ecdsa.PrivateKey
	trust     *certs.TrustList
	now       time.Time
	authority certs.MdocAuthority
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{now: time.Now().Truncate(time.Second), iacaKey: newKey(t), device: newKey(t)}
	f.authority = certs.MdocAuthority{Country: "UT", Organization: "idgate test", IssuerURL: "https://issuer.test", Now: f.now}
	var err error
	if f.iaca, err = certs.NewIACA(f.authority, f.iacaKey); err != nil {
		t.Fatal(err)
	}
	f.ds = f.signer(t, "idgate test DS")
	f.trust = certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: DocTypeMDL, Roots: []*x509.Certificate{f.iaca}})
	return f
}

// signer is a fresh Document Signer under the fixture's IACA.
func (f *fixture) signer(t testing.TB, cn string) certs.Signer {
	t.Helper()
	k := newKey(t)
	c, err := certs.NewDocumentSigner(f.authority, f.iaca, f.iacaKey, &k.PublicKey, cn)
	if err != nil {
		t.Fatal(err)
	}
	s, err := certs.NewSigner(k, []*x509.Certificate{c})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) input() IssueInput {
	return IssueInput{
		DocType: DocTypeMDL,
		NameSpaces: map[string]map[string]any{NamespaceMDL: {
			"family_name": "Mustermann", "given_name": "Erika", "birth_date": FullDate("1984-08-12"),
			"issue_date": FullDate("2026-01-01"), "expiry_date": FullDate("2036-01-01"), "issuing_country": "UT",
			"issuing_authority": "Utopia DMV", "document_number": "D1234567", "portrait": []byte{0xff, 0xd8, 0xff, 0xd9},
			"driving_privileges": []any{map[string]any{"vehicle_category_code": "B"}}, "un_distinguishing_sign": "UTO",
			"age_over_18": true, "age_over_19": true, "age_in_years": uint64(42),
		}},
		DeviceKey: &f.device.PublicKey,
		Signed:    f.now, ValidFrom: f.now, ValidUntil: f.now.Add(365 * 24 * time.Hour),
		Status: &StatusListRef{Idx: 7, URI: "https://issuer.test/status/1"},
	}
}

func (f *fixture) issue(t testing.TB) []byte {
	t.Helper()
	is, err := Issue(f.input(), f.ds)
	if err != nil {
		t.Fatal(err)
	}
	return is
}

func (f *fixture) verifier() *Verifier {
	return &Verifier{Trust: f.trust, Now: func() time.Time { return f.now.Add(time.Hour) }}
}

// transcript is an OpenID4VP-shaped SessionTranscript for nonce.
func transcript(t testing.TB, nonce string) []byte {
	t.Helper()
	b, err := encMode.Marshal([]any{nil, nil, []any{"OpenID4VPHandover", []byte(nonce + "-hash-of-handover-info-32-bytes!!")[:32]}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var twoElements = Request{NamespaceMDL: {"family_name", "age_over_19"}}

func (f *fixture) present(t testing.TB, is []byte, st []byte) []byte {
	t.Helper()
	resp, err := Present(is, twoElements, st, f.device)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func sha256Sum(b []byte) []byte {
	d := sha256.Sum256(b)
	return d[:]
}
