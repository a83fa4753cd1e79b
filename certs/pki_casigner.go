package certs

import (
	"crypto/ecdsa"
	"crypto/x509"
	"path/filepath"
)

// caSigner is a part of the development PKI with a trust anchor of its own: a CA certificate
// of one profile and a signer of another issued by it (the wallet provider and its key
// attestation signer, the IACA and its mDL Document Signer).
type caSigner struct {
	caFile, caName string // file name without extension; how errors name the CA
	caProfile      Profile
	signerFile     string
	signerProfile  Profile
}

// load reads the CA certificate and the signer from dir, checks their profiles and that the
// signer chains to the CA.
func (c caSigner) load(dir string) (*x509.Certificate, Signer, error) {
	chain, err := readChain(filepath.Join(dir, c.caFile+".crt"))
	if err != nil {
		return nil, nil, newErr(ErrPKI, err, "%s", c.caName)
	}
	ca := chain[0]
	if err := c.caProfile.checkCA(ca); err != nil {
		return nil, nil, newErr(ErrPKI, err, "%s.crt", c.caFile)
	}
	s, err := LoadSigner(dir, c.signerFile)
	if err != nil {
		return nil, nil, newErr(ErrPKI, err, "%s", c.signerFile)
	}
	leaf := s.Chain()[0]
	if err := c.signerProfile.Check(leaf); err != nil {
		return nil, nil, newErr(ErrPKI, err, "%s.crt", c.signerFile)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: rootPool(ca), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, nil, newErr(ErrPKI, err, "%s.crt does not chain to the %s", c.signerFile, c.caName)
	}
	return ca, s, nil
}

// add puts the CA's and the signer's certificates and keys into files under their names.
func (c caSigner) add(files map[string][]byte, ca *x509.Certificate, caKey *ecdsa.PrivateKey, signer *x509.Certificate, signerKey *ecdsa.PrivateKey) error {
	for _, f := range []struct {
		name string
		cert *x509.Certificate
		key  *ecdsa.PrivateKey
	}{{c.caFile, ca, caKey}, {c.signerFile, signer, signerKey}} {
		files[f.name+".crt"] = EncodeCertsPEM([]*x509.Certificate{f.cert})
		var err error
		if files[f.name+".key"], err = EncodeKeyPEM(f.key); err != nil {
			return err
		}
	}
	return nil
}
