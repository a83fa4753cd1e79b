package oid4vp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"

	"github.com/idgate/idgate/internal/b64url"
)

// Response encryption algorithms: HAIP's ECDH-ES on P-256, with A128GCM and A256GCM.
const (
	AlgECDHES  = "ECDH-ES"
	EncA128GCM = "A128GCM"
	EncA256GCM = "A256GCM"
)

// SupportedEncs are the content encryptions a verifier lists (HAIP: both) and accepts.
var SupportedEncs = []string{EncA128GCM, EncA256GCM}

// EncryptionKey is a verifier's ephemeral per-request key for direct_post.jwt responses.
type EncryptionKey struct {
	Private *ecdsa.PrivateKey
	KID     string // the RFC 7638 thumbprint, base64url
}

// NewEncryptionKey generates a P-256 key whose kid is its thumbprint.
func NewEncryptionKey() (*EncryptionKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return newEncryptionKey(k), nil
}

func newEncryptionKey(k *ecdsa.PrivateKey) *EncryptionKey {
	tp := ecThumbprint(&k.PublicKey)
	return &EncryptionKey{Private: k, KID: base64.RawURLEncoding.EncodeToString(tp[:])}
}

// MarshalPrivate encodes the key for a transaction store (PKCS#8 DER).
func (k *EncryptionKey) MarshalPrivate() ([]byte, error) {
	return x509.MarshalPKCS8PrivateKey(k.Private)
}

// ParseEncryptionKey decodes a key written by MarshalPrivate.
func ParseEncryptionKey(der []byte) (*EncryptionKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, errorf(InvalidRequest, "", "encryption key is not ECDSA P-256")
	}
	return newEncryptionKey(ek), nil
}

// PublicJWK is the key as published in client_metadata.jwks.
func (k *EncryptionKey) PublicJWK() JWK {
	return JWK{
		Kty: "EC", Crv: "P-256", Alg: AlgECDHES, Use: "enc", KID: k.KID,
		X: coord(&k.Private.PublicKey, 0), Y: coord(&k.Private.PublicKey, 1),
	}
}

// Thumbprint is the 32-byte RFC 7638 SHA-256 thumbprint, as the mdoc handover needs it.
func (k *EncryptionKey) Thumbprint() []byte {
	tp := ecThumbprint(&k.Private.PublicKey)
	return tp[:]
}

// JWK is a public EC key as OpenID4VP client metadata carries it.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	KID string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
}

// PublicKey checks the JWK is a P-256 point on the curve and returns it.
func (j *JWK) PublicKey() (*ecdsa.PublicKey, error) {
	if j.Kty != "EC" || j.Crv != "P-256" {
		return nil, errorf(InvalidRequest, ReasonMalformedRequest, "encryption key is not an EC P-256 JWK")
	}
	x, err1 := decodeCoord(j.X)
	y, err2 := decodeCoord(j.Y)
	if err1 != nil || err2 != nil {
		return nil, errorf(InvalidRequest, ReasonMalformedRequest, "encryption key coordinates are not 32-byte base64url")
	}
	pt := append([]byte{4}, append(x, y...)...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pt)
	if err != nil {
		return nil, errorf(InvalidRequest, ReasonMalformedRequest, "encryption key is not a point on P-256")
	}
	return pub, nil
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of the JWK.
func (j *JWK) Thumbprint() ([]byte, error) {
	pub, err := j.PublicKey()
	if err != nil {
		return nil, err
	}
	tp := ecThumbprint(pub)
	return tp[:], nil
}

func ecThumbprint(pub *ecdsa.PublicKey) [32]byte {
	// RFC 7638: the required members in lexicographic order, no whitespace.
	b, _ := json.Marshal(struct {
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
		Y   string `json:"y"`
	}{"P-256", "EC", coord(pub, 0), coord(pub, 1)})
	return sha256.Sum256(b)
}

// coord is the base64url x (i=0) or y (i=1) coordinate of a P-256 key.
func coord(pub *ecdsa.PublicKey, i int) string {
	b, err := pub.Bytes() // 0x04 || x || y
	if err != nil || len(b) != 65 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b[1+32*i : 33+32*i])
}

func decodeCoord(s string) ([]byte, error) {
	b, err := b64url.Decode(s)
	if err == nil && len(b) != 32 {
		err = errorf(InvalidRequest, ReasonMalformedRequest, "coordinate is %d bytes", len(b))
	}
	return b, err
}
