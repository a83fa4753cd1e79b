package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
)

// Files and names of the development PKI's wallet provider: a CA of its own (a wallet provider
// is another organisation than the issuer) and the key attestation signer under it, with which
// a development wallet backend vouches for device keys (OpenID4VCI key attestations).
const (
	FileWalletProviderCA = "wallet-provider-ca"
	FileWalletProvider   = "wallet-provider"
	CNWalletProviderCA   = "idgate Development Wallet Provider CA"
	CNWalletProvider     = "idgate Development Wallet Provider"
)

// generateWalletProvider adds the wallet provider CA and its key attestation signer (keys and
// certificates) to files and returns their trust anchor: PurposeWalletProvider, any scope.
func generateWalletProvider(o Options, files map[string][]byte) (trustFileAnchor, error) {
	now := o.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return trustFileAnchor{}, err
	}
	caTmpl := &x509.Certificate{
		Subject:   pkix.Name{CommonName: CNWalletProviderCA, Organization: []string{"idgate"}},
		NotBefore: now.Add(-backdate), NotAfter: now.Add(rootValidity),
		MaxPathLen: 0, MaxPathLenZero: true,
	}
	ProfileRoot.Apply(caTmpl)
	ca, err := CreateCertificate(caTmpl, nil, caKey.Public(), caKey)
	if err != nil {
		return trustFileAnchor{}, err
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return trustFileAnchor{}, err
	}
	leafTmpl := &x509.Certificate{
		Subject:   pkix.Name{CommonName: CNWalletProvider, Organization: []string{"idgate"}},
		NotBefore: now.Add(-backdate), NotAfter: now.Add(leafValidity),
	}
	ProfileKeyAttestation.Apply(leafTmpl)
	leaf, err := CreateCertificate(leafTmpl, ca, leafKey.Public(), caKey)
	if err != nil {
		return trustFileAnchor{}, err
	}
	if err := walletProvider.add(files, ca, caKey, leaf, leafKey); err != nil {
		return trustFileAnchor{}, err
	}
	return trustFileAnchor{Purpose: PurposeWalletProvider, Scope: ScopeAny, Roots: []string{FileWalletProviderCA + ".crt"}, Names: []string{CNWalletProvider}}, nil
}

// walletProvider is the wallet provider CA and its key attestation signer.
var walletProvider = caSigner{
	caFile: FileWalletProviderCA, caName: "wallet provider CA", caProfile: ProfileRoot,
	signerFile: FileWalletProvider, signerProfile: ProfileKeyAttestation,
}

// loadWalletProvider reads the wallet provider CA and its key attestation signer, checks their
// profiles and that the signer chains to the CA.
func (p *PKI) loadWalletProvider(dir string) (err error) {
	p.WalletProviderCA, p.WalletProvider, err = walletProvider.load(dir)
	return err
}
