// Package keyattest reads, verifies and issues OpenID4VCI 1.0 key attestations (Appendix D.1):
// a JWT of typ key-attestation+jwt in which a wallet provider, or the key storage component
// itself, vouches for public keys (attested_keys) and for the attack potential resistance of
// their key storage and user authentication (ISO/IEC 18045 levels, Appendix D.2).
//
// A credential issuer that requires key attestations calls Verify with the wallet providers of
// its trust list (certs.PurposeWalletProvider), then Policy.Check with the levels it accepts and
// Attestation.Attests with the key the credential is to be bound to. A wallet backend produces
// attestations with Issue; SoftwareKeys is a development stand-in for a phone's key store and
// its wallet provider, for demos and tests. Parse reads an attestation without checking its
// signature: a wallet uses it to check what its platform returned.
//
// Every failure is an *Error whose Code names the property that failed (ErrType, ErrExpired,
// ErrUntrusted, ErrKeyStorage...).
package keyattest
