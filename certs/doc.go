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
// Chains are verified with crypto/x509 at the caller's time; the leaf must be a certificate of
// the purpose's signer profile (ProfileFor), so a TLS server certificate, or one role's
// signer presented for another, is refused even under the right root with the right name. Successful verifications are cached (bounded, keyed
// by SHA-256 over purpose, scope and chain DER) and a cache hit re-checks only the chain's
// validity window, so a gate verifying the same issuer chain thousands of times a second pays a
// hash, not an ECDSA verification. The cached leaf is shared: callers must not modify it.
//
// Profiles (profile.go). Each role has exactly one key usage and one extended key usage; Init
// issues by them, TrustList.Verify and Certificates check the signer ones, Load checks every
// certificate of a PKI directory (one made before the profiles fails to load, naming the file).
//
//	role                  key usage             extended key usage
//	root CA               keyCertSign, cRLSign  none (CA, path length 0)
//	credential signer     digitalSignature      ArcIdgate.1 (SD-JWT VC issuer)
//	status list signer    digitalSignature      ArcIdgate.2 (Token Status List)
//	boarding pass signer  digitalSignature      ArcIdgate.3 (IATA Res. 792 BCBP)
//	gate reader           keyAgreement          ArcIdgate.4 (face templates sealed to it)
//	TLS server            digitalSignature      serverAuth
//	IACA (mdoc root)      keyCertSign, cRLSign  none (CA, path length 0; critical KU and BC)
//	mdoc document signer  digitalSignature      1.0.18013.5.1.2, critical (ISO/IEC 18013-5)
//
// ArcIdgate is 1.2.840.113556.1.8000.2554.24890.13419.41684.18186.36748.10790782.12711159, a
// private arc derived from a GUID by Microsoft's documented scheme (see ArcIdgate), used where
// no standard EKU exists.
//
// mdoc (iaca.go, pki_mdoc.go). ISO/IEC 18013-5 wants a dedicated Issuing Authority CA: Init
// writes iaca and ds-mdl beside the development root, shaped as Annex B says (country in both
// subjects, IssuerAltName, SKI/AKI, at most 457 days for the Document Signer), and trust.json
// trusts the IACA for PurposeMdoc with the docType as scope, so an IACA vouches for one doctype.
//
// Errors are *Error values with a stable Code; test them with errors.Is against ErrUntrusted,
// ErrNotValidAtTime, ErrNameNotAllowed, ErrKeyUsage, ErrExtKeyUsage, ErrMalformed and ErrPKI.
package certs
