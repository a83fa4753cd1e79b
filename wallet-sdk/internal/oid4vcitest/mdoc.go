package oid4vcitest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
)

// mdocSigner is the double's mdoc PKI: an IACA and a Document Signer shaped as ISO/IEC 18013-5
// Annex B says.
type mdocSigner struct {
	IACA   *x509.Certificate
	Signer certs.Signer
}

// MdocIACA is the root the double's mdocs chain to (built on first use).
func (d *Issuer) MdocIACA() *x509.Certificate {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mdocPKI().IACA
}

func (d *Issuer) mdocPKI() *mdocSigner {
	if d.mdocSigner != nil {
		return d.mdocSigner
	}
	a := certs.MdocAuthority{Country: "UT", Organization: "idgate test double", IssuerURL: d.URL, Now: time.Now()}
	iacaKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	iaca, err := certs.NewIACA(a, iacaKey)
	if err != nil {
		d.t.Fatal(err)
	}
	dsKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ds, err := certs.NewDocumentSigner(a, iaca, iacaKey, &dsKey.PublicKey, "idgate test double DS")
	if err != nil {
		d.t.Fatal(err)
	}
	s, err := certs.NewSigner(dsKey, []*x509.Certificate{ds})
	if err != nil {
		d.t.Fatal(err)
	}
	d.mdocSigner = &mdocSigner{IACA: iaca, Signer: s}
	return d.mdocSigner
}

// issueMdoc signs an mDL mdoc bound to holder and returns it as OpenID4VCI 1.0 Appendix A.2.4
// sends it: the base64url CBOR IssuerSigned. The knobs BindOtherKey (applied by the caller),
// IssueVCT (the docType), SignWithOther and Exp apply as to SD-JWT VCs.
func (d *Issuer) issueMdoc(holder jwk.Key) string {
	var raw any
	if err := holder.Raw(&raw); err != nil {
		d.t.Errorf("issuer double: %v", err)
		return ""
	}
	pub, _ := raw.(*ecdsa.PublicKey)
	docType := DocType
	if d.IssueVCT != "" {
		docType = d.IssueVCT
	}
	life := d.Exp
	if life == 0 {
		life = 365 * 24 * time.Hour
	}
	signer := d.mdocPKI().Signer
	if d.SignWithOther {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		signer = otherKeySigner{PrivateKey: k, chain: signer.Chain()}
	}
	status := &mdoc.StatusListRef{Idx: 3, URI: d.URL + "/status/1"}
	if d.MdocStatus != nil {
		status = d.MdocStatus
	}
	now := time.Now().Truncate(time.Second)
	from := now
	if life < 0 { // expired on arrival: valid for |life| up to |life| ago
		from = now.Add(2 * life)
	}
	is, err := mdoc.Issue(mdoc.IssueInput{
		DocType: docType,
		NameSpaces: map[string]map[string]any{mdoc.NamespaceMDL: {
			"family_name": FamilyName, "given_name": GivenName, "birth_date": mdoc.FullDate("1984-01-26"),
			"issue_date": mdoc.FullDate("2026-01-01"), "expiry_date": mdoc.FullDate("2036-01-01"),
			"issuing_country": "UT", "issuing_authority": "Utopia DMV", "document_number": "D1234567",
			"portrait":               []byte{0xff, 0xd8, 0xff, 0xd9},
			"driving_privileges":     []any{map[string]any{"vehicle_category_code": "B"}},
			"un_distinguishing_sign": "UTO", "age_over_18": true, "age_in_years": uint64(42),
		}},
		DeviceKey: pub, Signed: from, ValidFrom: from, ValidUntil: now.Add(life),
		Status: status,
	}, signer)
	if err != nil {
		d.t.Errorf("issuer double: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(is)
}

// otherKeySigner signs with a key that is not its certificate's (certs.NewSigner refuses that).
type otherKeySigner struct {
	*ecdsa.PrivateKey
	chain []*x509.Certificate
}

func (o otherKeySigner) Chain() []*x509.Certificate { return o.chain }
