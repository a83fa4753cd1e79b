package certs

import (
	"crypto"
	"crypto/x509"
)

// Signer is the narrow signing seam: a private key that never leaves its holder (a file key
// today, an HSM or KMS later) together with the certificate chain that vouches for it.
type Signer interface {
	crypto.Signer
	// Chain is the signing certificate first, then any intermediates; the root is left out,
	// as for a JOSE x5c header.
	Chain() []*x509.Certificate
}
