package certs

import (
	"crypto/tls"
	"path/filepath"
)

// LoadTLSCertificate reads DIR/NAME.crt and DIR/NAME.key (e.g. FileTLSIssuer) for a TLS server.
// Clients trust DIR/root.crt.
func LoadTLSCertificate(dir, name string) (tls.Certificate, error) {
	c, err := tls.LoadX509KeyPair(filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key"))
	if err != nil {
		return tls.Certificate{}, newErr(ErrPKI, err, "TLS certificate %s", name)
	}
	return c, nil
}
