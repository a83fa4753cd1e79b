package walletsdk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
)

// KeyStore holds the wallet's device keys: one P-256 key per credential, to which the issuer
// binds the credential (cnf.jwk) and with which the wallet signs key-binding JWTs.
//
// NewSoftwareKeyStore keeps keys inside the encrypted store. A platform implementation (iOS
// Secure Enclave, Android StrongBox/Keystore) satisfies the same interface by returning a
// crypto.Signer whose private key never leaves the hardware; Sign must produce an ASN.1 ECDSA
// signature as crypto/ecdsa does, and Public must return *ecdsa.PublicKey on P-256.
type KeyStore interface {
	// Generate creates a new P-256 key and returns its opaque id.
	Generate() (keyID string, err error)
	// Signer returns a signer for the key; a missing key is a CodeNotFound *Error.
	Signer(keyID string) (crypto.Signer, error)
	// Delete removes the key.
	Delete(keyID string) error
	// List returns the ids of all keys.
	List() ([]string, error)
}

// RecordStore is what the software key store needs from a *Store: sealed records by kind and id.
type RecordStore interface {
	Put(kind, id string, plaintext []byte) error
	Get(kind, id string) ([]byte, error)
	Delete(kind, id string) error
	List(kind string) ([]string, error)
}

const kindKeys = "keys"

// SoftwareKeyStore keeps PKCS#8 P-256 keys as sealed records of a Store. The keys are
// protected at rest only by the store key: use a hardware KeyStore where the platform has one.
type SoftwareKeyStore struct {
	store RecordStore
}

// NewSoftwareKeyStore returns a KeyStore persisting its keys in store (normally a *Store).
func NewSoftwareKeyStore(store RecordStore) *SoftwareKeyStore {
	return &SoftwareKeyStore{store: store}
}

func (k *SoftwareKeyStore) Generate() (string, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", newErr(CodeKeyStore, "generate key", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", newErr(CodeKeyStore, "encode key", err)
	}
	id := randomID()
	if err := k.store.Put(kindKeys, id, der); err != nil {
		return "", err
	}
	return id, nil
}

func (k *SoftwareKeyStore) Signer(keyID string) (crypto.Signer, error) {
	der, err := k.store.Get(kindKeys, keyID)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, newErr(CodeStoreTampered, "stored key unreadable", nil)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, newErr(CodeStoreTampered, "stored key is not P-256", nil)
	}
	return ec, nil
}

func (k *SoftwareKeyStore) Delete(keyID string) error { return k.store.Delete(kindKeys, keyID) }

func (k *SoftwareKeyStore) List() ([]string, error) { return k.store.List(kindKeys) }

// randomID is 128 random bits, hex: unguessable and safe as a file name.
func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
