// Package sdjwt implements Selective Disclosure for JWTs (SD-JWT, RFC 9901):
// issuing, holder-side presentation, key binding and verification. It is
// generic: SD-JWT VC policy (vct, typ, x5c chains, validity, status) is
// layered on top by the caller, mostly through VerifyOptions.IssuerKey and
// the returned Verified.
//
// Data flow:
//
//	Issuer:   claims + SD paths --Issue--> "<jws>~<d1>~...~<dn>~"
//	          (each selected claim becomes a salted Disclosure; its digest
//	          replaces it in an _sd array or a {"...": digest} array element;
//	          decoys are added and _sd sorted; the payload is signed with a
//	          crypto.Signer through jwx)
//	Holder:   Parse -> Token.Present(paths) -> AddKeyBinding(aud, nonce)
//	          (keeps only the disclosures needed; the KB-JWT signs sd_hash,
//	          the hash of the presentation, with the key named in cnf.jwk)
//	Verifier: Verify -> Verified{Claims, HolderKey, KeyBinding}
//	          (bounds and form; alg allow-list before any key is touched;
//	          issuer signature; digests of disclosures are matched into the
//	          payload recursively, per RFC 9901 §7.1; then the KB-JWT, §7.3)
//
// Every failure is an *Error with a stable Code. The compact JWS signature is
// verified here with crypto/ecdsa and crypto/ed25519 (fixed-width R||S per
// RFC 7518, encoded straight to DER) to keep per-passenger verification cost
// close to the raw crypto; keys are parsed with jwx/jwk. Every JSON text of a
// verification (headers, payload, disclosures, KB-JWT) goes once through
// decodeJSON, a one-pass decoder that accepts exactly what encoding/json
// accepts (differentially fuzzed); the issuer header is decoded into Header
// for VerifyOptions.ResolveKey (jwx Headers are built only for the older
// IssuerKey resolver). Untrusted input is bounded by MaxTokenBytes,
// MaxDisclosures and MaxDepth. Error messages never carry claim values.
package sdjwt
