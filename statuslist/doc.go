// Package statuslist implements the IETF Token Status List (draft-ietf-oauth-status-list) in its
// JWT form: the bit-packed status array, its "lst" encoding, signed status list tokens, and a
// caching checker for relying parties.
//
// Data flow. The issuer keeps a List per status list (bits 1, 2, 4 or 8 per credential, packed
// least-significant bit first), flips entries with Set, and serves Sign(Token{...}, signer): a
// compact JWS (alg ES256, typ statuslist+jwt, x5c chain from the certs.Signer) whose claims are
// sub (the list's URI), iat, exp, ttl and status_list{bits, lst}, lst being the array
// zlib-compressed and base64url-encoded. A credential points at its entry with a Reference
// {idx, uri}. A verifier's Checker GETs the token (Accept: application/statuslist+jwt), Verify
// checks it against a certs.TrustList for certs.PurposeStatusList, checks sub == uri, caches the
// list until min(exp, fetch+ttl, fetch+MaxTTL), and answers the entry's value. Concurrent
// callers for one URI share one fetch.
//
// Fail closed. Decoding is bounded (MaxEntries, a decompression limit against zlib bombs, strict
// base64url, verified zlib checksum, no trailing bytes); only ES256 is accepted. A list that
// cannot be fetched is ErrUnavailable, one that does not verify ErrInvalidList: callers must
// treat both as "cannot establish status", never as Valid.
package statuslist
