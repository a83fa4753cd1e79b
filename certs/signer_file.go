package certs

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxPEMFile bounds key and chain files: a chain of a few certificates is a few KiB.
const maxPEMFile = 1 << 20

// keySigner is the file-backed Signer: any crypto.Signer plus the chain that certifies it.
type keySigner struct {
	crypto.Signer
	chain []*x509.Certificate
}

func (s *keySigner) Chain() []*x509.Certificate { return append([]*x509.Certificate(nil), s.chain...) }

// NewSigner pairs key with chain (leaf first, root excluded) after checking that the key is the
// leaf's key, so a mismatched pair fails here rather than as unverifiable signatures later.
func NewSigner(key crypto.Signer, chain []*x509.Certificate) (Signer, error) {
	if key == nil || len(chain) == 0 || chain[0] == nil {
		return nil, newErr(ErrMalformed, nil, "signer needs a key and a non-empty chain")
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(chain[0].PublicKey) {
		return nil, newErr(ErrMalformed, nil, "private key does not match leaf certificate %q", chain[0].Subject.CommonName)
	}
	for i, c := range chain {
		if c == nil {
			return nil, newErr(ErrMalformed, nil, "chain[%d] is nil", i)
		}
	}
	return &keySigner{Signer: key, chain: append([]*x509.Certificate(nil), chain...)}, nil
}

// LoadSigner reads DIR/NAME.key (PKCS#8 PEM) and DIR/NAME.crt (PEM chain, leaf first).
func LoadSigner(dir, name string) (Signer, error) {
	key, err := readKey(filepath.Join(dir, name+".key"))
	if err != nil {
		return nil, err
	}
	chain, err := readChain(filepath.Join(dir, name+".crt"))
	if err != nil {
		return nil, err
	}
	return NewSigner(key, chain)
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPEMFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxPEMFile {
		return nil, newErr(ErrMalformed, nil, "%s larger than %d bytes", path, maxPEMFile)
	}
	return b, nil
}

func readKey(path string) (crypto.Signer, error) {
	b, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	return parseKeyPEM(b, path)
}

func parseKeyPEM(b []byte, what string) (crypto.Signer, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, newErr(ErrMalformed, nil, "%s: want a PKCS#8 \"PRIVATE KEY\" PEM block", what)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, newErr(ErrMalformed, err, "%s", what)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, newErr(ErrMalformed, nil, "%s: key type %T cannot sign", what, k)
	}
	return s, nil
}

func readChain(path string) ([]*x509.Certificate, error) {
	b, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	return parseCertsPEM(b, path)
}

// parseCertsPEM parses every CERTIFICATE block in order; anything else is an error.
func parseCertsPEM(b []byte, what string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			return nil, newErr(ErrMalformed, nil, "%s: unexpected PEM block %q", what, blk.Type)
		}
		if len(out) >= maxChainLen {
			return nil, newErr(ErrMalformed, nil, "%s: more than %d certificates", what, maxChainLen)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, newErr(ErrMalformed, err, "%s: certificate %d", what, len(out))
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, newErr(ErrMalformed, nil, "%s: no CERTIFICATE block", what)
	}
	return out, nil
}

// EncodeCertsPEM is the inverse of the chain files: one CERTIFICATE block per certificate.
func EncodeCertsPEM(chain []*x509.Certificate) []byte {
	var out []byte
	for _, c := range chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// EncodeKeyPEM marshals key as a PKCS#8 "PRIVATE KEY" PEM block.
func EncodeKeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("certs: marshal key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
