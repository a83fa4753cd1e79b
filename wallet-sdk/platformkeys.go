package walletsdk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"io"
	"math/big"
)

// PlatformKeys is a key store in the phone's secure hardware (Android Keystore/StrongBox,
// iOS Secure Enclave) reached through a callback the app implements. The private key never
// leaves the platform.
type PlatformKeys interface {
	// GenerateP256 creates a P-256 signing key under alias and returns its public key, either
	// as the uncompressed point 0x04||X||Y (iOS SecKeyCopyExternalRepresentation) or as
	// SubjectPublicKeyInfo DER (Android PublicKey.getEncoded).
	GenerateP256(alias string) ([]byte, error)
	// Sign signs the 32-byte SHA-256 digest with the key under alias, without hashing it again
	// (Android Signature "NONEwithECDSA" on a key allowing DIGEST_NONE; iOS SecKeyCreateSignature
	// with .ecdsaSignatureDigestX962SHA256). The signature is ASN.1 DER (what both platforms
	// return) or raw r||s (64 bytes).
	Sign(alias string, digest []byte) ([]byte, error)
	// Delete removes the key under alias.
	Delete(alias string) error
}

const kindPlatformKeys = "platform-keys"

// PlatformKeyStore is the KeyStore over PlatformKeys. It pins each key's public key in the
// encrypted store at generation and checks every platform signature against it before the
// wallet uses it: a platform that answers with another key or a bad signature fails closed.
type PlatformKeyStore struct {
	keys  PlatformKeys
	store RecordStore
}

// NewPlatformKeyStore returns a KeyStore whose keys live in keys; store (normally the wallet's
// *Store) holds their public keys.
func NewPlatformKeyStore(keys PlatformKeys, store RecordStore) *PlatformKeyStore {
	return &PlatformKeyStore{keys: keys, store: store}
}

func (k *PlatformKeyStore) Generate() (string, error) {
	id := randomID()
	raw, err := k.keys.GenerateP256(id)
	if err != nil {
		return "", newErr(CodeKeyStore, "platform key generation", err)
	}
	pub, err := parsePlatformPublicKey(raw)
	if err != nil {
		k.keys.Delete(id)
		return "", err
	}
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		k.keys.Delete(id)
		return "", newErr(CodeKeyStore, "encode platform public key", err)
	}
	if err := k.store.Put(kindPlatformKeys, id, spki); err != nil {
		k.keys.Delete(id)
		return "", err
	}
	return id, nil
}

func (k *PlatformKeyStore) Signer(keyID string) (crypto.Signer, error) {
	spki, err := k.store.Get(kindPlatformKeys, keyID)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKIXPublicKey(spki)
	pub, ok := key.(*ecdsa.PublicKey)
	if err != nil || !ok || pub.Curve != elliptic.P256() {
		return nil, newErr(CodeStoreTampered, "stored platform public key unreadable", err)
	}
	return &platformSigner{keys: k.keys, alias: keyID, pub: pub}, nil
}

// Delete removes the key from the platform and its pinned public key from the store.
func (k *PlatformKeyStore) Delete(keyID string) error {
	if err := k.store.Delete(kindPlatformKeys, keyID); err != nil {
		return err
	}
	if err := k.keys.Delete(keyID); err != nil {
		return newErr(CodeKeyStore, "platform key deletion", err)
	}
	return nil
}

func (k *PlatformKeyStore) List() ([]string, error) { return k.store.List(kindPlatformKeys) }

// parsePlatformPublicKey accepts an uncompressed P-256 point or SPKI DER.
func parsePlatformPublicKey(b []byte) (*ecdsa.PublicKey, error) {
	bad := newErr(CodeKeyStore, "platform public key is neither an uncompressed P-256 point nor P-256 SPKI DER", nil)
	if len(b) == 65 && b[0] == 4 {
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), b)
		if err != nil {
			return nil, bad
		}
		return pub, nil
	}
	key, err := x509.ParsePKIXPublicKey(b)
	if err != nil {
		return nil, bad
	}
	pub, ok := key.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, bad
	}
	return pub, nil
}

// platformSigner is the crypto.Signer of one platform key: it returns ASN.1 DER, as
// crypto/ecdsa does, whatever format the platform chose.
type platformSigner struct {
	keys  PlatformKeys
	alias string
	pub   *ecdsa.PublicKey
}

func (s *platformSigner) Public() crypto.PublicKey { return s.pub }

func (s *platformSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts == nil || opts.HashFunc() != crypto.SHA256 || len(digest) != sha256.Size {
		return nil, newErr(CodeKeyStore, "platform keys sign SHA-256 digests only", nil)
	}
	sig, err := s.keys.Sign(s.alias, digest)
	if err != nil {
		return nil, newErr(CodeKeyStore, "platform signing", err)
	}
	if ecdsa.VerifyASN1(s.pub, digest, sig) {
		return sig, nil
	}
	if len(sig) == 64 {
		r, sv := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if ecdsa.Verify(s.pub, digest, r, sv) {
			der, err := asn1.Marshal(struct{ R, S *big.Int }{r, sv})
			if err != nil {
				return nil, newErr(CodeKeyStore, "encode platform signature", err)
			}
			return der, nil
		}
	}
	return nil, newErr(CodeKeyStore, "platform signature does not verify against the key's public key", nil)
}
