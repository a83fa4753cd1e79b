package certs

import (
	"crypto/x509"
	"encoding/base64"
)

// Bounds on an x5c header: real chains are 1-3 certificates of under 2 KiB each.
const (
	maxChainLen = 8
	maxCertDER  = 16 << 10
)

// ParseX5C decodes a JOSE x5c header (RFC 7515 §4.1.6: standard base64 — not base64url — of
// DER, leaf first). It bounds the number and size of certificates and returns ErrMalformed on
// anything else. It does not verify the chain: see TrustList.Verify.
func ParseX5C(x5c []string) ([]*x509.Certificate, error) {
	ders, err := decodeX5C(x5c)
	if err != nil {
		return nil, err
	}
	return parseDERs(ders)
}

func decodeX5C(x5c []string) ([][]byte, error) {
	if len(x5c) == 0 {
		return nil, newErr(ErrMalformed, nil, "x5c is empty")
	}
	if len(x5c) > maxChainLen {
		return nil, newErr(ErrMalformed, nil, "x5c has %d certificates, max %d", len(x5c), maxChainLen)
	}
	ders := make([][]byte, len(x5c))
	for i, s := range x5c {
		if base64.StdEncoding.DecodedLen(len(s)) > maxCertDER {
			return nil, newErr(ErrMalformed, nil, "x5c[%d] larger than %d bytes", i, maxCertDER)
		}
		der, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil {
			return nil, newErr(ErrMalformed, err, "x5c[%d] is not standard base64", i)
		}
		// Strict still skips CR and LF; any other spelling than the one canonical encoding of
		// der is refused, so that a certificate has one x5c spelling (caches keyed on it).
		if base64.StdEncoding.EncodedLen(len(der)) != len(s) {
			return nil, newErr(ErrMalformed, nil, "x5c[%d] is not canonical standard base64 (line break)", i)
		}
		ders[i] = der
	}
	return ders, nil
}

func parseDERs(ders [][]byte) ([]*x509.Certificate, error) {
	out := make([]*x509.Certificate, len(ders))
	for i, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, newErr(ErrMalformed, err, "x5c[%d]", i)
		}
		out[i] = c
	}
	return out, nil
}

// EncodeX5C is the inverse of ParseX5C, for JOSE headers.
func EncodeX5C(chain []*x509.Certificate) []string {
	out := make([]string, len(chain))
	for i, c := range chain {
		out[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	return out
}
