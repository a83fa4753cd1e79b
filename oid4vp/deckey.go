package oid4vp

import (
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"

	"filippo.io/nistec"
)

// DecryptionKey is the private half of an EncryptionKey as response decryption needs it: the
// scalar, the kid and the thumbprint. ParseDecryptionKey loads it from the stored PKCS#8
// without the base-point multiplication that building a crypto/ecdsa or crypto/ecdh key
// costs: a verifier loads it once per response.
type DecryptionKey struct {
	KID string // the kid a response's JWE header must name when it names one
	d   [32]byte
	tp  [32]byte
}

// DecryptionKey returns k's private half for DecryptResponse (nil for a nil k).
func (k *EncryptionKey) DecryptionKey() *DecryptionKey {
	if k == nil {
		return nil
	}
	dk := &DecryptionKey{KID: k.KID, tp: ecThumbprint(&k.Private.PublicKey)}
	if b, err := k.Private.Bytes(); err == nil && len(b) == 32 {
		copy(dk.d[:], b)
	}
	return dk
}

// Thumbprint is the 32-byte RFC 7638 SHA-256 thumbprint of the public key.
func (k *DecryptionKey) Thumbprint() []byte { return k.tp[:] }

var (
	oidPublicKeyEC = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidP256        = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	// p256Order is n, big-endian.
	p256Order = [32]byte{
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
	}
)

// ParseDecryptionKey reads a key written by EncryptionKey.MarshalPrivate: PKCS#8 (RFC 5208)
// around an RFC 5915 ECPrivateKey on P-256 with its public key, which gives the kid. The
// public key is taken as stored (it is the verifier's own record, not a peer's input) but
// must be a point on the curve; the scalar must be in [1, n-1].
func ParseDecryptionKey(der []byte) (*DecryptionKey, error) {
	bad := func(why string) (*DecryptionKey, error) {
		return nil, errorf(InvalidRequest, "", "decryption key: %s", why)
	}
	var p8 struct {
		Version    int
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}
	if rest, err := asn1.Unmarshal(der, &p8); err != nil || len(rest) != 0 || p8.Version != 0 {
		return bad("not PKCS#8")
	}
	var curve asn1.ObjectIdentifier
	if !p8.Algo.Algorithm.Equal(oidPublicKeyEC) {
		return bad("not an EC key")
	}
	if rest, err := asn1.Unmarshal(p8.Algo.Parameters.FullBytes, &curve); err != nil || len(rest) != 0 || !curve.Equal(oidP256) {
		return bad("not on P-256")
	}
	var ec struct {
		Version    int
		PrivateKey []byte
		Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
		PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
	}
	if rest, err := asn1.Unmarshal(p8.PrivateKey, &ec); err != nil || len(rest) != 0 || ec.Version != 1 {
		return bad("not an RFC 5915 EC private key")
	}
	if len(ec.Curve) > 0 && !ec.Curve.Equal(oidP256) {
		return bad("not on P-256")
	}
	if len(ec.PrivateKey) != 32 || !scalarInRange(ec.PrivateKey) {
		return bad("scalar out of range")
	}
	pub := ec.PublicKey.RightAlign()
	if ec.PublicKey.BitLength != 65*8 || len(pub) != 65 {
		return bad("no uncompressed public key")
	}
	if _, err := nistec.NewP256Point().SetBytes(pub); err != nil {
		return bad("public key is not a point on P-256")
	}
	k := &DecryptionKey{tp: pointThumbprint(pub)}
	copy(k.d[:], ec.PrivateKey)
	k.KID = base64.RawURLEncoding.EncodeToString(k.tp[:])
	return k, nil
}

// scalarInRange reports 0 < d < n for a 32-byte big-endian d.
func scalarInRange(d []byte) bool {
	zero := true
	for _, b := range d {
		if b != 0 {
			zero = false
		}
	}
	for i := range d {
		if d[i] != p256Order[i] {
			return !zero && d[i] < p256Order[i]
		}
	}
	return false // d == n
}

// pointThumbprint is ecThumbprint for an uncompressed point: the RFC 7638 members in
// lexicographic order, no whitespace.
func pointThumbprint(pt []byte) [32]byte {
	e := base64.RawURLEncoding
	b := make([]byte, 0, 128)
	b = append(b, `{"crv":"P-256","kty":"EC","x":"`...)
	b = e.AppendEncode(b, pt[1:33])
	b = append(b, `","y":"`...)
	b = e.AppendEncode(b, pt[33:65])
	b = append(b, `"}`...)
	return sha256.Sum256(b)
}
