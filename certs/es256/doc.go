// Package es256 verifies ES256 signatures (ECDSA over P-256 with SHA-256; RFC 7518 §3.4)
// under long-lived, trusted public keys faster than crypto/ecdsa.
//
// An ECDSA verification computes u1·G + u2·Q and compares the x coordinate with r. Go's
// crypto/ecdsa already has a precomputed table for the generator G, but Q is a new point for
// every call, so u2·Q costs 255 doublings. The keys a gate checks most are few and fixed:
// credential issuers and airlines from the trust list. For such a key, Precompute builds once
// (~4 ms, ~400 KB) the multiples d·256^i·Q for |d| ≤ 128 and every byte position i, so u2·Q
// becomes 33 table additions and no doubling: the whole verification is ~2.5× faster.
//
// Data flow: certs.TrustList warms a Cache with the keys it has verified (a pinned airline
// certificate, a credential issuer leaf whose chain verified); verifiers ask the cache for a
// ready *Key and fall back to crypto/ecdsa while none is built. Only trusted keys are ever
// precomputed, so an attacker presenting fresh keys costs no table builds.
//
// Verification handles public data only (message, signature, public key), so the scalar
// arithmetic and the table lookups are not constant time; Verify accepts exactly what
// crypto/ecdsa.Verify accepts, which the differential tests and the fuzz target check.
package es256
