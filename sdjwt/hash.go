package sdjwt

import (
	"crypto/sha256"
	"crypto/sha512"
	"unsafe"
)

// Hash names are the IANA "Named Information Hash Algorithm" names that
// RFC 9901 §4.1.1 uses for _sd_alg.
const (
	SHA256 = "sha-256"
	SHA384 = "sha-384"
	SHA512 = "sha-512"
)

// digestOf hashes s with the named algorithm and base64url-encodes the result.
// Fixed-size arrays and readOnlyBytes keep this allocation-free apart from the
// result string.
func digestOf(hashAlg, s string) (string, error) {
	switch hashAlg {
	case SHA256:
		h := sha256.Sum256(readOnlyBytes(s))
		return b64.EncodeToString(h[:]), nil
	case SHA384:
		h := sha512.Sum384(readOnlyBytes(s))
		return b64.EncodeToString(h[:]), nil
	case SHA512:
		h := sha512.Sum512(readOnlyBytes(s))
		return b64.EncodeToString(h[:]), nil
	}
	return "", newErr(CodeSDAlgUnsupported, "unsupported hash algorithm")
}

// readOnlyBytes views s as bytes without the heap copy []byte(s) makes (the
// presentation hashed for sd_hash is kilobytes). The result aliases immutable
// string memory: it is only ever handed to hash functions, which never write
// to their input.
func readOnlyBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
