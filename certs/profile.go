package certs

import (
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"strings"
)

// ArcIdgate is the private OID arc of idgate's extended key usages. It needs no registration:
// Microsoft's documented scheme for OIDs derived from a GUID (1.2.840.113556.1.8000.2554
// followed by the GUID's hex groups as decimal numbers: 4, 4, 4, 4, 4, 6 and 6 digits), here
// of GUID 613a346b-a2d4-470a-8f8c-a4a77ec1f4f7. Every arc fits an int, as crypto/x509's
// parser requires (a 2.25 UUID arc does not, and would make the certificate unparseable).
var ArcIdgate = asn1.ObjectIdentifier{1, 2, 840, 113556, 1, 8000, 2554, 24890, 13419, 41684, 18186, 36748, 10790782, 12711159}

// Extended key usages of idgate's signer roles; none but the mdoc Document Signer has a
// standard EKU.
var (
	OIDCredentialSigning   = arcOID(1) // SD-JWT VC issuer signatures
	OIDStatusListSigning   = arcOID(2) // Token Status List tokens
	OIDBoardingPassSigning = arcOID(3) // IATA Res. 792 BCBP security sections
	OIDTemplateEncryption  = arcOID(4) // gate readers: face templates sealed to this key (ECDH-ES)
	OIDRequestSigning      = arcOID(5) // relying parties: OpenID4VP Request Objects
	OIDKeyAttestation      = arcOID(6) // wallet providers: OpenID4VCI key attestations
)

// OIDMdocDocumentSigner is ISO/IEC 18013-5's extended key usage of an mdoc Document Signer
// (id-mdl-kp-mdlDS, Annex B.1.4).
var OIDMdocDocumentSigner = asn1.ObjectIdentifier{1, 0, 18013, 5, 1, 2}

func arcOID(n int) asn1.ObjectIdentifier { return append(slices.Clip(ArcIdgate), n) }

// Profile is what a certificate of one role carries: exactly its key usage and its extended
// key usage. Init issues certificates by these profiles; verifiers check the one they need.
type Profile struct {
	Name     string
	KeyUsage x509.KeyUsage         // the bits a certificate of the role has, and no others
	EKU      asn1.ObjectIdentifier // the extended key usage it must carry; nil for a CA
	CA       bool
}

// The roles of idgate's PKI.
var (
	ProfileRoot               = Profile{Name: "root CA", KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, CA: true}
	ProfileCredentialSigner   = Profile{Name: "credential signer", KeyUsage: x509.KeyUsageDigitalSignature, EKU: OIDCredentialSigning}
	ProfileStatusListSigner   = Profile{Name: "status list signer", KeyUsage: x509.KeyUsageDigitalSignature, EKU: OIDStatusListSigning}
	ProfileBoardingPassSigner = Profile{Name: "boarding pass signer", KeyUsage: x509.KeyUsageDigitalSignature, EKU: OIDBoardingPassSigning}
	ProfileGateReader         = Profile{Name: "gate reader", KeyUsage: x509.KeyUsageKeyAgreement, EKU: OIDTemplateEncryption}
	ProfileRequestSigner      = Profile{Name: "verifier request signer", KeyUsage: x509.KeyUsageDigitalSignature, EKU: OIDRequestSigning}
	ProfileKeyAttestation     = Profile{Name: "wallet provider key attestation signer", KeyUsage: x509.KeyUsageDigitalSignature, EKU: OIDKeyAttestation}
	// ProfileIACA is an ISO/IEC 18013-5 Issuing Authority CA (Annex B.1.2): keyCertSign and
	// cRLSign, critical.
	ProfileIACA = Profile{Name: "IACA", KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, CA: true}
	// ProfileDocumentSigner is an mdoc Document Signer (Annex B.1.4): digitalSignature and the
	// critical EKU 1.0.18013.5.1.2.
	ProfileDocumentSigner = Profile{Name: "mdoc document signer", KeyUsage: x509.KeyUsageDigitalSignature, EKU: OIDMdocDocumentSigner}
)

// ProfileFor is the profile of the certificates that sign for purpose p.
func ProfileFor(p Purpose) (Profile, bool) {
	switch p {
	case PurposeCredential:
		return ProfileCredentialSigner, true
	case PurposeStatusList:
		return ProfileStatusListSigner, true
	case PurposeBoardingPass:
		return ProfileBoardingPassSigner, true
	case PurposeVerifier:
		return ProfileRequestSigner, true
	case PurposeMdoc:
		return ProfileDocumentSigner, true
	case PurposeWalletProvider:
		return ProfileKeyAttestation, true
	}
	return Profile{}, false
}

// Apply sets tmpl's key usage, extended key usage and CA flag to the profile's.
func (p Profile) Apply(tmpl *x509.Certificate) {
	tmpl.KeyUsage = p.KeyUsage
	tmpl.IsCA = p.CA
	tmpl.BasicConstraintsValid = true
	tmpl.ExtKeyUsage = nil
	tmpl.UnknownExtKeyUsage = nil
	if p.EKU != nil {
		tmpl.UnknownExtKeyUsage = []asn1.ObjectIdentifier{p.EKU}
	}
}

// Check reports whether leaf c is a certificate of this profile: not a CA, every key usage bit
// of the profile and none that would let the key do something else (sign certificates, or, for
// a key-agreement key, signatures), and the profile's EKU among its extended key usages
// (anyExtendedKeyUsage does not stand in for it). The error is ErrKeyUsage or ErrExtKeyUsage
// naming the certificate and the profile.
func (p Profile) Check(c *x509.Certificate) error {
	cn := c.Subject.CommonName
	forbidden := x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	if p.KeyUsage&x509.KeyUsageKeyAgreement != 0 {
		forbidden |= x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	}
	switch {
	case c.IsCA:
		return newErr(ErrKeyUsage, nil, "%q is a CA, not a %s", cn, p.Name)
	case c.KeyUsage&p.KeyUsage != p.KeyUsage:
		return newErr(ErrKeyUsage, nil, "%q lacks the key usage of a %s (%s)", cn, p.Name, keyUsageNames(p.KeyUsage))
	case c.KeyUsage&forbidden != 0:
		return newErr(ErrKeyUsage, nil, "%q has key usage a %s may not have (%s)", cn, p.Name, keyUsageNames(c.KeyUsage&forbidden))
	}
	if p.EKU != nil && !slices.ContainsFunc(c.UnknownExtKeyUsage, p.EKU.Equal) {
		return newErr(ErrExtKeyUsage, nil, "%q lacks the %s extended key usage %s (certificates made before idgate's profiles have none: create a new PKI with idgate certs init)", cn, p.Name, p.EKU)
	}
	return nil
}

func keyUsageNames(ku x509.KeyUsage) string {
	var out []string
	for _, n := range []struct {
		bit  x509.KeyUsage
		name string
	}{
		{x509.KeyUsageDigitalSignature, "digitalSignature"}, {x509.KeyUsageContentCommitment, "contentCommitment"},
		{x509.KeyUsageKeyEncipherment, "keyEncipherment"}, {x509.KeyUsageDataEncipherment, "dataEncipherment"},
		{x509.KeyUsageKeyAgreement, "keyAgreement"}, {x509.KeyUsageCertSign, "keyCertSign"}, {x509.KeyUsageCRLSign, "cRLSign"},
	} {
		if ku&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// checkCA checks a CA certificate against a CA profile: a CA with the key usage to sign
// certificates.
func (p Profile) checkCA(c *x509.Certificate) error {
	if !c.IsCA || c.KeyUsage&x509.KeyUsageCertSign == 0 {
		return newErr(ErrKeyUsage, nil, "%q is not a %s (needs CA and keyCertSign)", c.Subject.CommonName, p.Name)
	}
	return nil
}

// rootPool is a pool of the given roots.
func rootPool(roots ...*x509.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	return pool
}
