package certs_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
)

// TestMdocCertificatesAnnexB checks the IACA and Document Signer against ISO/IEC 18013-5
// Annex B: criticality, key usages, EKU, IssuerAltName, SKI/AKI, country and validity bounds.
func TestMdocCertificatesAnnexB(t *testing.T) {
	now := time.Now()
	a := certs.MdocAuthority{Country: "UT", Organization: "idgate", IssuerURL: "https://issuer.test", CRLURL: "https://issuer.test/crl", Now: now}
	ik, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dk, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	iaca, err := certs.NewIACA(a, ik)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := certs.NewDocumentSigner(a, iaca, ik, &dk.PublicKey, "idgate DS")
	if err != nil {
		t.Fatal(err)
	}
	crit := func(c *x509.Certificate, oid asn1.ObjectIdentifier) (present, critical bool) {
		for _, e := range c.Extensions {
			if e.Id.Equal(oid) {
				return true, e.Critical
			}
		}
		return false, false
	}
	ku, bc, eku, ian := asn1.ObjectIdentifier{2, 5, 29, 15}, asn1.ObjectIdentifier{2, 5, 29, 19}, asn1.ObjectIdentifier{2, 5, 29, 37}, asn1.ObjectIdentifier{2, 5, 29, 18}
	for _, c := range []struct {
		name        string
		cert        *x509.Certificate
		oid         asn1.ObjectIdentifier
		wantCrit    bool
		wantPresent bool
	}{
		{"IACA KU", iaca, ku, true, true}, {"IACA BC", iaca, bc, true, true}, {"IACA IAN", iaca, ian, false, true},
		{"DS KU", ds, ku, true, true}, {"DS EKU", ds, eku, true, true}, {"DS IAN", ds, ian, false, true},
	} {
		if p, cr := crit(c.cert, c.oid); p != c.wantPresent || cr != c.wantCrit {
			t.Errorf("%s: present %v critical %v", c.name, p, cr)
		}
	}
	if !iaca.IsCA || iaca.MaxPathLen != 0 || !iaca.MaxPathLenZero || iaca.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign || len(iaca.SubjectKeyId) == 0 {
		t.Errorf("IACA: CA %v pathlen %d ku %v ski %x", iaca.IsCA, iaca.MaxPathLen, iaca.KeyUsage, iaca.SubjectKeyId)
	}
	if iaca.NotAfter.Sub(iaca.NotBefore) > 20*365*24*time.Hour || ds.NotAfter.Sub(now) > 457*24*time.Hour {
		t.Error("validity beyond Annex B bounds")
	}
	if string(ds.RawIssuer) != string(iaca.RawSubject) || string(ds.AuthorityKeyId) != string(iaca.SubjectKeyId) || len(ds.SubjectKeyId) != 20 {
		t.Error("DS issuer/AKI do not match the IACA")
	}
	if ds.Subject.Country[0] != "UT" || iaca.Subject.Country[0] != "UT" || ds.CRLDistributionPoints[0] != a.CRLURL {
		t.Error("country or CRL DP")
	}
	if err := certs.ProfileDocumentSigner.Check(ds); err != nil {
		t.Error(err)
	}
	trust := certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: "org.iso.18013.5.1.mDL", Roots: []*x509.Certificate{iaca}})
	if _, err := trust.Verify(certs.PurposeMdoc, "org.iso.18013.5.1.mDL", []*x509.Certificate{ds}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := trust.Verify(certs.PurposeMdoc, "org.example.other", []*x509.Certificate{ds}, now); err == nil {
		t.Fatal("IACA trusted for another docType")
	}
	if _, err := trust.Verify(certs.PurposeMdoc, "org.iso.18013.5.1.mDL", []*x509.Certificate{iaca}, now); err == nil {
		t.Fatal("the IACA itself accepted as a DS")
	}
	if _, err := certs.NewIACA(certs.MdocAuthority{Country: "ut", IssuerURL: "https://x.test", Now: now}, ik); err == nil {
		t.Error("lower-case country accepted")
	}
}
