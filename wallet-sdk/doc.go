// Package walletsdk is the holder-side SDK a mobile wallet app embeds: it receives SD-JWT VC
// credentials (RFC 9901, SD-JWT VC) and ISO/IEC 18013-5 mdocs over OpenID4VCI 1.0 and
// presents them with selective disclosure and key binding.
//
// Data flow.
//
// Issuance: AcceptOffer parses the credential offer (inline or by reference), fetches the
// issuer and authorization-server metadata (checking each names the identifier it was fetched
// for), redeems the pre-authorised code (plus transaction code) at the token endpoint, creates
// a fresh device key in the KeyStore, signs an openid4vci-proof+jwt over the issuer's c_nonce
// and requests the credential (retrying once with a fresh nonce on invalid_nonce). The answer
// is parsed and checked before anything is stored: the issuer signature verifies with the x5c
// leaf key, cnf.jwk is our device key, vct is the offered one. An mso_mdoc configuration gets
// the same proof; its answer, the base64url CBOR IssuerSigned, is checked with
// mdoc.CheckIssuerSigned (issuerAuth under its x5chain, every item against the MSO digests),
// its docType is the offered one and the MSO's device key ours; the IssuerSigned is stored as
// received. The wallet does not hold a trust list; whether the issuer is trusted is the
// relying party's decision.
//
// Storage: every credential and every software device key is a separate AES-256-GCM sealed
// file under Config.Dir (0600, written via temp file + rename), bound to its name by the AAD.
// The data-encryption key is Config.StoreKey (32 bytes from the platform keychain) or is
// derived from Config.Passphrase with PBKDF2-SHA256 (600k iterations, random salt in the store
// header). A key-check tag in the header tells a wrong key (CodeWrongKey) from a modified file
// (CodeStoreTampered).
//
// Presentation: Present takes a PresentationRequest (ParsePresentationRequest decodes the
// verifier's JSON), keeps only the disclosures of the requested claims, and appends a KB-JWT
// (typ kb+jwt; aud, nonce, iat, sd_hash) signed with the credential's device key.
//
// OpenID4VP 1.0: ResolveVP takes an openid4vp:// (or haip-vp://) link, fetches the Request
// Object (GET, or POST with wallet_metadata and a wallet_nonce it checks is echoed; redirects
// are not followed, bodies bounded), validates it with package oid4vp against
// Config.VerifierTrust (signature, chain, x509_san_dns against the certificate and the
// response_uri host, x509_hash, typ, aud, exp, client_id) and evaluates the DCQL query against
// the stored credentials into a consent preview: the verifier's identity and, per query, the
// candidate credentials with exactly the claims they would disclose. RespondVP presents the
// holder's choice (KB-JWT aud = the full client_id, the request's nonce), encrypts the response
// to the verifier's key for direct_post.jwt, posts it and returns the redirect_uri; DeclineVP
// sends access_denied. Unsigned redirect_uri: requests are refused. A query with
// require_cryptographic_holder_binding: false still gets a KB-JWT: every credential held here
// is bound to a device key, the verifier must verify a KB-JWT that is sent (OpenID4VP §6.1
// only lets it accept a presentation without one), and without it the presentation would be a
// bearer copy of the credential that whoever sees it could replay to another such verifier.
//
// Device keys: KeyStore is the seam for hardware keys. NewSoftwareKeyStore keeps P-256 keys
// in the encrypted store (tests, desktop); an app on iOS or Android sets Config.PlatformKeys to
// its Secure Enclave / StrongBox callback, and NewPlatformKeyStore signs through it, pinning each
// public key in the store and verifying every platform signature before use.
//
// Every failure is an *Error with a stable Code. Package mobile wraps this API in plain types
// for gomobile.
package walletsdk
