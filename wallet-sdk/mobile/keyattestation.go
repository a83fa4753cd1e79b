package mobile

import walletsdk "github.com/idgate/idgate/wallet-sdk"

// KeyAttester is implemented by the app over its wallet provider's backend, for issuers that
// require OpenID4VCI key attestations (their metadata lists key_attestations_required).
// AttestKey returns a key attestation JWT (typ key-attestation+jwt) of the key under alias
// whose nonce is nonce, the issuer's c_nonce. On Android the app sends the backend the key's
// Keystore attestation certificate chain (KeyStore.getCertificateChain(alias), its challenge
// one the backend gave at enrolment) and a signature over the nonce by the key; on iOS an App
// Attest assertion over the key and the nonce. The backend checks that evidence and answers
// with the JWT its wallet provider certificate signs. An empty string means no attestation; the wallet refuses one of
// another key or nonce (code "key_store").
type KeyAttester interface {
	AttestKey(alias, nonce string) (string, error)
}

// OpenWalletWithKeyAttester is OpenWalletWithRoots for a wallet whose device keys the wallet
// provider attests: keys (not null) holds them in secure hardware and attester (not null)
// obtains their attestations, which the wallet sends where an issuer asks for one.
func OpenWalletWithKeyAttester(dir string, storeKey, verifierRootsPEM, statusListRootsPEM []byte, keys PlatformKeyStore, attester KeyAttester) (*Wallet, error) {
	if keys == nil || attester == nil {
		return nil, &walletsdk.Error{Code: walletsdk.CodeConfig, Msg: "key attestations need a platform key store and an attester"}
	}
	return openWithRoots(dir, storeKey, verifierRootsPEM, statusListRootsPEM, attestingKeys{keys, attester}, false)
}

// attestingKeys is the app's key store with its attester: a walletsdk.PlatformKeyAttester.
type attestingKeys struct {
	PlatformKeyStore
	attester KeyAttester
}

func (a attestingKeys) AttestKey(alias, nonce string) (string, error) {
	return a.attester.AttestKey(alias, nonce)
}
