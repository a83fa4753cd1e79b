package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"sync"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/keyattest"
)

// demoPlatform is the demo wallet's stand-in for a phone's key store and its wallet provider's
// backend: keys live in this process's memory, and the development wallet provider of
// `idgate certs init` attests them. It asserts key_storage iso_18045_basic, the honest level of
// a software key; a phone's secure hardware attested by a real wallet provider asserts more.
type demoPlatform struct {
	provider certs.Signer
	mu       sync.Mutex
	keys     map[string]*ecdsa.PrivateKey
}

// demoKeyStorage is what the demo's wallet provider asserts of its software keys.
const demoKeyStorage = keyattest.ISO18045Basic

func (p *demoPlatform) GenerateP256(alias string) ([]byte, error) {
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

func (p *demoPlatform) key(alias string) (*ecdsa.PrivateKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k := p.keys[alias]; k != nil {
		return k, nil
	}
	return nil, errors.New("no key under alias")
}

func (p *demoPlatform) Sign(alias string, digest []byte) ([]byte, error) {
	k, err := p.key(alias)
	if err != nil {
		return nil, err
	}
	return ecdsa.SignASN1(rand.Reader, k, digest)
}

func (p *demoPlatform) Delete(alias string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.keys, alias)
	return nil
}

// AttestKey is the wallet provider's key attestation of the key under alias, valid an hour.
func (p *demoPlatform) AttestKey(alias, nonce string) (string, error) {
	k, err := p.key(alias)
	if err != nil {
		return "", err
	}
	now := time.Now()
	return keyattest.Issue(p.provider, keyattest.Claims{
		IssuedAt: now, ExpiresAt: now.Add(time.Hour), AttestedKeys: []crypto.PublicKey{&k.PublicKey},
		KeyStorage: []string{demoKeyStorage}, Nonce: nonce,
	})
}
