package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
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
	if err := mdocMDL.add(files, iaca, iacaKey, ds, dsKey); err != nil {
		return trustFileAnchor{}, err
	}
	return trustFileAnchor{Purpose: PurposeMdoc, Scope: MdocDocTypeMDL, Roots: []string{FileIACA + ".crt"}, Names: []string{CNDocumentSignerMDL}}, nil
}

// mdocMDL is the IACA and its mDL Document Signer.
var mdocMDL = caSigner{
	caFile: FileIACA, caName: "IACA", caProfile: ProfileIACA,
	signerFile: FileDocumentSignerMDL, signerProfile: ProfileDocumentSigner,
}

// loadMdoc reads the IACA and the mDL Document Signer, checks their profiles and that the DS
// chains to the IACA.
func (p *PKI) loadMdoc(dir string) (err error) {
	p.IACA, p.MDLDocumentSigner, err = mdocMDL.load(dir)
	return err
}
