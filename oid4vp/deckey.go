package oid4vp

import (
	"crypto/sha256"
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
	// The DER contents of the OIDs id-ecPublicKey (1.2.840.10045.2.1) and prime256v1
	// (1.2.840.10045.3.1.7).
	oidPublicKeyEC = []byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}
	oidP256        = []byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}
	// p256Order is n, big-endian.
	p256Order = [32]byte{
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
	}
)

// ParseDecryptionKey reads a key written by EncryptionKey.MarshalPrivate: PKCS#8 (RFC 5208)
// around an RFC 5915 ECPrivateKey on P-256 with its public key, which gives the kid. The
// public key is taken as stored (it is the verifier's own record, not a peer's input) but
// must be a point on the curve; the scalar must be in [1, n-1]. A key stored without its
// public key is loaded through crypto/ecdsa, which computes it.
func ParseDecryptionKey(der []byte) (*DecryptionKey, error) {
	bad := func(why string) (*DecryptionKey, error) {
		return nil, errorf(InvalidRequest, "", "decryption key: %s", why)
	}
	// PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING }
	p8, rest, ok := derRead(der, 0x30)
	if !ok || len(rest) != 0 {
		return bad("not PKCS#8")
	}
	ver, p8, ok1 := derRead(p8, 0x02)
	algo, p8, ok2 := derRead(p8, 0x30)
	// Attributes may follow; they say nothing about the key.
	inner, _, ok3 := derRead(p8, 0x04)
	if !ok1 || !ok2 || !ok3 || len(ver) != 1 || ver[0] != 0 {
		return bad("not PKCS#8")
	}
	oid, algo, ok1 := derRead(algo, 0x06)
	curve, algo, ok2 := derRead(algo, 0x06)
	if !ok1 || !ok2 || len(algo) != 0 || !oidEqual(oid, oidPublicKeyEC) || !oidEqual(curve, oidP256) {
		return bad("not an EC key on P-256")
	}
	// ECPrivateKey ::= SEQUENCE { version 1, OCTET STRING d, [0] curve OPTIONAL, [1] BIT STRING public key }
	ec, rest, ok := derRead(inner, 0x30)
	if !ok || len(rest) != 0 {
		return bad("not an RFC 5915 EC private key")
	}
	ver, ec, ok1 = derRead(ec, 0x02)
	d, ec, ok2 := derRead(ec, 0x04)
	if !ok1 || !ok2 || len(ver) != 1 || ver[0] != 1 {
		return bad("not an RFC 5915 EC private key")
	}
	if len(ec) > 0 && ec[0] == 0xa0 {
		var params []byte
		if params, ec, ok = derRead(ec, 0xa0); !ok {
			return bad("EC parameters")
		}
		if curve, params, ok = derRead(params, 0x06); !ok || len(params) != 0 || !oidEqual(curve, oidP256) {
			return bad("not on P-256")
		}
	}
	if len(ec) == 0 {
		// The public key is optional in RFC 5915; without it, it is computed from d.
		full, err := ParseEncryptionKey(der)
		if err != nil {
			return nil, err
		}
		return full.DecryptionKey(), nil
	}
	pubField, ec, ok := derRead(ec, 0xa1)
	if !ok || len(ec) != 0 {
		return bad("malformed public key")
	}
	bits, rest, ok := derRead(pubField, 0x03)
	if !ok || len(rest) != 0 || len(bits) != 66 || bits[0] != 0 {
		return bad("no uncompressed public key")
	}
	pub := bits[1:]
	if len(d) != 32 || !scalarInRange(d) {
		return bad("scalar out of range")
	}
	if _, err := nistec.NewP256Point().SetBytes(pub); err != nil {
		return bad("public key is not a point on P-256")
	}
	k := &DecryptionKey{tp: pointThumbprint(pub)}
	copy(k.d[:], d)
	k.KID = base64.RawURLEncoding.EncodeToString(k.tp[:])
	return k, nil
}

// derRead reads one DER element with tag from b: its contents and what follows. Lengths
// take the definite short or long form up to 2 bytes, minimally encoded.
func derRead(b []byte, tag byte) (content, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != tag {
		return nil, nil, false
	}
	n, hdr := int(b[1]), 2
	switch {
	case n < 0x80:
	case n == 0x81 && len(b) >= 3 && b[2] >= 0x80:
		n, hdr = int(b[2]), 3
	case n == 0x82 && len(b) >= 4 && b[2] != 0:
		n, hdr = int(b[2])<<8|int(b[3]), 4
	default:
		return nil, nil, false
	}
	if len(b)-hdr < n {
		return nil, nil, false
	}
	return b[hdr : hdr+n], b[hdr+n:], true
}

func oidEqual(der []byte, oid []byte) bool { return string(der) == string(oid) }

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
