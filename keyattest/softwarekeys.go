package keyattest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"sync"
	"time"

	"github.com/idgate/idgate/certs"
)

// SoftwareKeys is a development stand-in for a phone's key store together with its wallet
// provider's backend, for demos and tests: P-256 keys live in this process's memory, and
// AttestKey returns an attestation of the key under an alias signed by Provider. Its methods
// are those of the wallet SDK's PlatformKeys. Keys in process memory resist no more than
// ISO18045Basic; a wallet holding real credentials keeps its keys in the phone's secure
// hardware, attested by a real wallet provider.
type SoftwareKeys struct {
	Provider           certs.Signer // the wallet provider's key attestation signer
	Issuer             string       // iss of the attestations (optional)
	KeyStorage         []string     // key_storage asserted
	UserAuthentication []string     // user_authentication asserted (optional)

	mu   sync.Mutex
	keys map[string]*ecdsa.PrivateKey
}

// errNoKey is returned for an alias no key was generated under.
var errNoKey = errors.New("keyattest: no key under alias")

// GenerateP256 creates a P-256 key under alias and returns its public key as the uncompressed
// point 0x04||X||Y.
func (p *SoftwareKeys) GenerateP256(alias string) ([]byte, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys == nil {
		p.keys = map[string]*ecdsa.PrivateKey{}
	}
	p.keys[alias] = k
	return k.PublicKey.Bytes()
}

func (p *SoftwareKeys) key(alias string) (*ecdsa.PrivateKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k := p.keys[alias]; k != nil {
		return k, nil
	}
	return nil, errNoKey
}

// PublicKey returns the public key under alias.
func (p *SoftwareKeys) PublicKey(alias string) (*ecdsa.PublicKey, error) {
	k, err := p.key(alias)
	if err != nil {
		return nil, err
	}
	return &k.PublicKey, nil
}

// Sign signs the SHA-256 digest with the key under alias (ASN.1 DER).
func (p *SoftwareKeys) Sign(alias string, digest []byte) ([]byte, error) {
	k, err := p.key(alias)
	if err != nil {
		return nil, err
	}
	return ecdsa.SignASN1(rand.Reader, k, digest)
}

// Delete removes the key under alias.
func (p *SoftwareKeys) Delete(alias string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.keys, alias)
	return nil
}

// AttestKey is the wallet provider's key attestation of the key under alias with the issuer's
// nonce, valid an hour.
func (p *SoftwareKeys) AttestKey(alias, nonce string) (string, error) {
	k, err := p.key(alias)
	if err != nil {
		return "", err
	}
	now := time.Now()
	return Issue(p.Provider, Claims{
		Issuer: p.Issuer, IssuedAt: now, ExpiresAt: now.Add(time.Hour), AttestedKeys: []crypto.PublicKey{&k.PublicKey},
		KeyStorage: p.KeyStorage, UserAuthentication: p.UserAuthentication, Nonce: nonce,
	})
}
