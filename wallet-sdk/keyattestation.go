package walletsdk

import (
	"crypto"
	"errors"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/keyattest"
)

// KeyAttester is a KeyStore that can vouch for its keys with OpenID4VCI 1.0 key attestations
// (Appendix D): JWTs of typ key-attestation+jwt in which the wallet provider states that a key
// lives in secure hardware and how it is unlocked. The wallet sends one where the issuer's
// metadata lists key_attestations_required: in the jwt proof's key_attestation header, or as
// an attestation proof where the issuer takes only those. PlatformKeyStore is a KeyAttester
// when its PlatformKeys is a PlatformKeyAttester.
type KeyAttester interface {
	// AttestKey returns a key attestation of the key whose nonce is nonce (the issuer's
	// c_nonce; "" when the issuer gave none), or "" when the key store can give none.
	AttestKey(keyID, nonce string) (string, error)
}

// PlatformKeyAttester is implemented by PlatformKeys whose wallet provider attests platform
// keys. On Android the app sends its wallet provider's backend the key's Keystore attestation
// certificate chain and a signature over the nonce by the key; the backend checks the chain
// against Google's roots and answers with a key attestation JWT carrying the nonce. On iOS the
// backend does so from an App Attest assertion over the key and the nonce. The attestation must attest the
// key under alias and carry nonce, else the wallet refuses it (code key_store).
type PlatformKeyAttester interface {
	AttestKey(alias, nonce string) (string, error)
}

// AttestKey asks the platform for a key attestation; "" when its PlatformKeys attests nothing.
func (k *PlatformKeyStore) AttestKey(keyID, nonce string) (string, error) {
	a, ok := k.keys.(PlatformKeyAttester)
	if !ok {
		return "", nil
	}
	att, err := a.AttestKey(keyID, nonce)
	if err != nil {
		return "", newErr(CodeKeyStore, "platform key attestation", err)
	}
	return att, nil
}

// keyAttestation returns the key store's attestation of keyID, checked to attest signer's key
// with nonce, or "" when the key store gives none. The wallet cannot verify the wallet
// provider's signature (the issuer does), but it does not send an attestation of another key.
func (w *Wallet) keyAttestation(keyID string, signer crypto.Signer, nonce string) (string, error) {
	ka, ok := w.keys.(KeyAttester)
	if !ok {
		return "", nil
	}
	att, err := ka.AttestKey(keyID, nonce)
	if err != nil {
		if CodeOf(err) == "" {
			err = newErr(CodeKeyStore, "key attestation", err)
		}
		return "", err
	}
	if att == "" {
		return "", nil
	}
	a, err := keyattest.Parse([]byte(att))
	if err != nil {
		var ke *keyattest.Error
		if errors.As(err, &ke) {
			return "", newErr(CodeKeyStore, "the key attestation is malformed ("+ke.Code+")", err)
		}
		return "", newErr(CodeKeyStore, "the key attestation is malformed", err)
	}
	pub, err := jwk.FromRaw(signer.Public())
	if err != nil {
		return "", newErr(CodeKeyStore, "device key to JWK", err)
	}
	if !a.Attests(pub) {
		return "", newErr(CodeKeyStore, "the key attestation does not attest the device key", nil)
	}
	if a.Nonce != nonce {
		return "", newErr(CodeKeyStore, "the key attestation does not carry the issuer's nonce", nil)
	}
	return att, nil
}
