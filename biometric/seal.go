package biometric

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
)

// SealedContentType is the JWE "cty" of a sealed template.
const SealedContentType = "application/vnd.idgate.face-template"

// MaxSealedLen bounds Open's input. A sealed template is ~1 KB (header with epk, 40-byte
// wrapped key, ~580-byte payload, all base64url); 4 KiB leaves room without letting a caller
// make the JWE parser chew megabytes.
const MaxSealedLen = 4096

// Seal encrypts t to a gate reader's P-256 key as a compact JWE (RFC 7516):
// alg ECDH-ES+A256KW, enc A256GCM, cty SealedContentType; the plaintext is MarshalBinary.
// recipient is an *ecdsa.PublicKey or *ecdh.PublicKey on P-256.
func Seal(t Template, recipient crypto.PublicKey) (string, error) {
	pub, err := p256Public(recipient)
	if err != nil {
		return "", err
	}
	plain, err := t.MarshalBinary()
	if err != nil {
		return "", err
	}
	hdr := jwe.NewHeaders()
	if err := hdr.Set(jwe.ContentTypeKey, SealedContentType); err != nil {
		return "", fmt.Errorf("biometric: seal header: %w", err)
	}
	out, err := jwe.Encrypt(plain,
		jwe.WithKey(jwa.ECDH_ES_A256KW, pub),
		jwe.WithContentEncryption(jwa.A256GCM),
		jwe.WithProtectedHeaders(hdr),
		jwe.WithCompact())
	if err != nil {
		return "", fmt.Errorf("biometric: seal: %w", err)
	}
	return string(out), nil
}

// Open decrypts a Seal output with the reader's private key (*ecdsa.PrivateKey or
// *ecdh.PrivateKey on P-256). The header must say exactly alg ECDH-ES+A256KW, enc A256GCM,
// cty SealedContentType, with no compression, and the plaintext must be a valid template
// encoding. Every failure of the sealed value itself wraps ErrSealed (or ErrTooLarge); the
// cause is deliberately not more specific, so Open is no oracle for an attacker.
func Open(sealed string, key crypto.PrivateKey) (Template, error) {
	priv, err := p256Private(key)
	if err != nil {
		return Template{}, err
	}
	if len(sealed) > MaxSealedLen {
		return Template{}, fmt.Errorf("%w: sealed template of %d bytes, max %d", ErrTooLarge, len(sealed), MaxSealedLen)
	}
	msg, err := jwe.ParseString(sealed)
	if err != nil {
		return Template{}, fmt.Errorf("%w: not a compact JWE", ErrSealed)
	}
	h := msg.ProtectedHeaders()
	if len(msg.Recipients()) != 1 || h.Algorithm() != jwa.ECDH_ES_A256KW ||
		h.ContentEncryption() != jwa.A256GCM || h.ContentType() != SealedContentType ||
		h.Compression() != jwa.NoCompress {
		return Template{}, fmt.Errorf("%w: unexpected JWE header", ErrSealed)
	}
	plain, err := jwe.Decrypt([]byte(sealed), jwe.WithKey(jwa.ECDH_ES_A256KW, priv))
	if err != nil {
		return Template{}, fmt.Errorf("%w: decryption failed", ErrSealed)
	}
	t, err := ParseTemplate(plain)
	if err != nil {
		return Template{}, fmt.Errorf("%w: payload: %w", ErrSealed, err)
	}
	return t, nil
}

// p256Public accepts the two standard-library forms of a P-256 public key and returns the
// ecdsa form jwx expects.
func p256Public(k crypto.PublicKey) (*ecdsa.PublicKey, error) {
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		if k == nil || k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: recipient must be a P-256 key", ErrInvalidKey)
		}
		if _, err := k.ECDH(); err != nil { // also rejects points not on the curve
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return k, nil
	case *ecdh.PublicKey:
		if k == nil || k.Curve() != ecdh.P256() {
			return nil, fmt.Errorf("%w: recipient must be a P-256 key", ErrInvalidKey)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), k.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("%w: %T is not an ECDH P-256 public key", ErrInvalidKey, k)
}

func p256Private(k crypto.PrivateKey) (*ecdsa.PrivateKey, error) {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		if k == nil || k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: key must be a P-256 key", ErrInvalidKey)
		}
		return k, nil
	case *ecdh.PrivateKey:
		if k == nil || k.Curve() != ecdh.P256() {
			return nil, fmt.Errorf("%w: key must be a P-256 key", ErrInvalidKey)
		}
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), k.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return priv, nil
	}
	return nil, fmt.Errorf("%w: %T is not an ECDH P-256 private key", ErrInvalidKey, k)
}
