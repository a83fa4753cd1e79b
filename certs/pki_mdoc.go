package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"path/filepath"
)

// Files, names and scope of the development PKI's ISO/IEC 18013-5 part: an IACA root of its own
// (Annex B wants a dedicated issuing authority CA) and the mDL Document Signer under it.
const (
	FileIACA              = "iaca"
	FileDocumentSignerMDL = "ds-mdl"
	CNDocumentSignerMDL   = "idgate mDL Document Signer"
	// MdocDocTypeMDL is the mDL docType, the trust list scope of the IACA (mdoc.DocTypeMDL).
	MdocDocTypeMDL = "org.iso.18013.5.1.mDL"
)

// generateMdoc adds the IACA and the mDL Document Signer (keys and certificates) to files and
// returns the trust anchor for them: PurposeMdoc, scope the mDL docType, root the IACA.
func generateMdoc(o Options, files map[string][]byte) (trustFileAnchor, error) {
	a := MdocAuthority{Country: o.MdocCountry, Organization: "idgate", IssuerURL: o.IssuerURL, Now: o.Now()}
	iacaKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return trustFileAnchor{}, err
	}
	iaca, err := NewIACA(a, iacaKey)
	if err != nil {
		return trustFileAnchor{}, err
	}
	dsKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return trustFileAnchor{}, err
	}
	ds, err := NewDocumentSigner(a, iaca, iacaKey, &dsKey.PublicKey, CNDocumentSignerMDL)
	if err != nil {
		return trustFileAnchor{}, err
	}
	for _, f := range []struct {
		name string
		cert *x509.Certificate
		key  *ecdsa.PrivateKey
	}{{FileIACA, iaca, iacaKey}, {FileDocumentSignerMDL, ds, dsKey}} {
		files[f.name+".crt"] = EncodeCertsPEM([]*x509.Certificate{f.cert})
		if files[f.name+".key"], err = EncodeKeyPEM(f.key); err != nil {
			return trustFileAnchor{}, err
		}
	}
	return trustFileAnchor{Purpose: PurposeMdoc, Scope: MdocDocTypeMDL, Roots: []string{FileIACA + ".crt"}, Names: []string{CNDocumentSignerMDL}}, nil
}

// loadMdoc reads the IACA and the mDL Document Signer, checks their profiles and that the DS
// chains to the IACA.
func (p *PKI) loadMdoc(dir string) error {
	chain, err := readChain(filepath.Join(dir, FileIACA+".crt"))
	if err != nil {
		return newErr(ErrPKI, err, "IACA")
	}
	p.IACA = chain[0]
	if err := ProfileIACA.checkCA(p.IACA); err != nil {
		return newErr(ErrPKI, err, "%s.crt", FileIACA)
	}
	if p.MDLDocumentSigner, err = LoadSigner(dir, FileDocumentSignerMDL); err != nil {
		return newErr(ErrPKI, err, "%s", FileDocumentSignerMDL)
	}
	ds := p.MDLDocumentSigner.Chain()[0]
	if err := ProfileDocumentSigner.Check(ds); err != nil {
		return newErr(ErrPKI, err, "%s.crt", FileDocumentSignerMDL)
	}
	if _, err := ds.Verify(x509.VerifyOptions{Roots: rootPool(p.IACA), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return newErr(ErrPKI, err, "%s.crt does not chain to the IACA", FileDocumentSignerMDL)
	}
	return nil
}
