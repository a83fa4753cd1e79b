package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net/url"
	"regexp"
	"time"
)

// ISO/IEC 18013-5 Annex B bounds on certificate validity.
const (
	iacaValidity = 9 * 365 * 24 * time.Hour // Annex B allows 20 years; 9 suffice for an mDL-only IACA
	dsValidity   = 457 * 24 * time.Hour     // the Annex B ceiling for a Document Signer
)

var (
	oidExtIssuerAltName = asn1.ObjectIdentifier{2, 5, 29, 18}
	oidExtExtKeyUsage   = asn1.ObjectIdentifier{2, 5, 29, 37}
	countryCode         = regexp.MustCompile(`^[A-Z]{2}$`)
)

// MdocAuthority names an mdoc issuing authority for its IACA and Document Signer certificates.
type MdocAuthority struct {
	Country      string // ISO 3166-1 alpha-2, upper case: the mDL's issuing_country
	Organization string // e.g. "idgate"
	IssuerURL    string // IssuerAltName URI (Annex B requires an IssuerAltName)
	CRLURL       string // CRL distribution point; empty for none
	Now          time.Time
}

func (a MdocAuthority) check() error {
	if !countryCode.MatchString(a.Country) {
		return newErr(ErrPKI, nil, "mdoc country %q must be two upper-case letters (ISO 3166-1 alpha-2)", a.Country)
	}
	if u, err := url.Parse(a.IssuerURL); err != nil || u.Scheme == "" || u.Host == "" {
		return newErr(ErrPKI, err, "mdoc issuer URL %q must be absolute", a.IssuerURL)
	}
	return nil
}

// extensions shared by the IACA and the DS: IssuerAltName and, when given, the CRL DP.
func (a MdocAuthority) apply(t *x509.Certificate) error {
	ian, err := asn1.Marshal([]asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte(a.IssuerURL)}})
	if err != nil {
		return err
	}
	t.ExtraExtensions = append(t.ExtraExtensions, pkix.Extension{Id: oidExtIssuerAltName, Value: ian})
	if a.CRLURL != "" {
		t.CRLDistributionPoints = []string{a.CRLURL}
	}
	return nil
}

// NewIACA issues a self-signed ISO/IEC 18013-5 IACA root (Annex B.1.2): subject C and CN,
// issuer = subject, CA with path length 0 (critical), keyCertSign and cRLSign (critical), SKI,
// IssuerAltName, a random 128-bit serial, 9 years of validity.
func NewIACA(a MdocAuthority, key crypto.Signer) (*x509.Certificate, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	t := &x509.Certificate{
		Subject:        pkix.Name{Country: []string{a.Country}, Organization: []string{a.Organization}, CommonName: a.Organization + " IACA " + a.Country},
		NotBefore:      a.Now.Add(-backdate),
		NotAfter:       a.Now.Add(iacaValidity),
		MaxPathLen:     0,
		MaxPathLenZero: true,
	}
	ProfileIACA.Apply(t)
	if err := a.apply(t); err != nil {
		return nil, err
	}
	return CreateCertificate(t, nil, key.Public(), key)
}

// NewDocumentSigner issues an mdoc Document Signer certificate under iaca (Annex B.1.4): issuer
// = the IACA's subject, the IACA's country, digitalSignature (critical), the DS extended key
// usage 1.0.18013.5.1.2 (critical), SKI, AKI = the IACA's SKI, IssuerAltName, 457 days of
// validity at most and never beyond the IACA's.
func NewDocumentSigner(a MdocAuthority, iaca *x509.Certificate, iacaKey crypto.Signer, pub *ecdsa.PublicKey, cn string) (*x509.Certificate, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	if len(iaca.Subject.Country) != 1 || iaca.Subject.Country[0] != a.Country {
		return nil, newErr(ErrPKI, nil, "DS country %q differs from the IACA's %v", a.Country, iaca.Subject.Country)
	}
	point, err := pub.Bytes()
	if err != nil {
		return nil, newErr(ErrPKI, err, "DS key")
	}
	ski := sha1.Sum(point) // RFC 5280 4.2.1.2 method 1
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{OIDMdocDocumentSigner})
	if err != nil {
		return nil, err
	}
	t := &x509.Certificate{
		Subject:      pkix.Name{Country: []string{a.Country}, Organization: []string{a.Organization}, CommonName: cn},
		NotBefore:    a.Now.Add(-backdate),
		NotAfter:     a.Now.Add(dsValidity),
		SubjectKeyId: ski[:],
	}
	if t.NotAfter.After(iaca.NotAfter) {
		t.NotAfter = iaca.NotAfter
	}
	ProfileDocumentSigner.Apply(t)
	// crypto/x509 writes the EKU extension non-critical; Annex B wants it critical.
	t.ExtraExtensions = append(t.ExtraExtensions, pkix.Extension{Id: oidExtExtKeyUsage, Critical: true, Value: eku})
	if err := a.apply(t); err != nil {
		return nil, err
	}
	return CreateCertificate(t, iaca, pub, iacaKey)
}
