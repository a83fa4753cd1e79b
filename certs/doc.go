// Package certs is idgate's PKI: the Signer seam every signer uses, a development PKI generator
// (Init), and the trust list verifiers consult.
//
// Data flow. Init writes a directory of P-256 keys (PKCS#8 PEM, 0600) and certificates (PEM,
// leaf first, root excluded) under one self-signed root, plus trust.json. Issuers load their
// key with LoadSigner and put Signer.Chain() into the JOSE x5c header (EncodeX5C). Verifiers
// load trust.json with LoadTrustList and, for every token, call ParseX5C + TrustList.Verify (or
// VerifyX5C) with the purpose the token is for (credential, status list, boarding pass) and its
// scope (vct, "*", airline designator); the returned leaf's public key then checks the token's
// signature. Boarding passes carry no chain, so gates take the pinned airline keys from
// TrustList.Certificates.
//
// Trust. An Anchor trusts roots for one (Purpose, Scope) and may restrict the leaf Subject CN.
// Chains are verified with crypto/x509 at the caller's time; the leaf must have the
// DigitalSignature key usage and not be a CA. Successful verifications are cached (bounded, keyed
// by SHA-256 over purpose, scope and chain DER) and a cache hit re-checks only the chain's
// validity window, so a gate verifying the same issuer chain thousands of times a second pays a
// hash, not an ECDSA verification. The cached leaf is shared: callers must not modify it.
//
// Errors are *Error values with a stable Code; test them with errors.Is against ErrUntrusted,
// ErrNotValidAtTime, ErrNameNotAllowed, ErrKeyUsage, ErrMalformed and ErrPKI.
package certs
