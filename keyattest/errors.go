package keyattest

import "github.com/idgate/idgate/internal/coded"

// Error is the typed error of this package (a coded.Error): errors.Is matches on Code.
type Error = coded.Error[pkg]

type pkg struct{}

func (pkg) Prefix() string { return "keyattest" }

// Sentinels for errors.Is; each names the one property of an attestation that failed.
var (
	ErrMalformed          = &Error{Code: "malformed"}           // not a compact JWS with a JSON object of the Appendix D.1 claims
	ErrType               = &Error{Code: "typ"}                 // typ is not key-attestation+jwt
	ErrAlg                = &Error{Code: "alg"}                 // alg not allowed, or not the signing key's
	ErrUntrusted          = &Error{Code: "untrusted"}           // signer not a wallet provider of the trust list
	ErrSignature          = &Error{Code: "signature"}           // signature does not verify
	ErrExpired            = &Error{Code: "expired"}             // exp passed, or (without exp) iat too old
	ErrNotYetValid        = &Error{Code: "not_yet_valid"}       // iat in the future
	ErrKeyNotAttested     = &Error{Code: "key_not_attested"}    // the key is not among attested_keys
	ErrKeyStorage         = &Error{Code: "key_storage"}         // no accepted key_storage level asserted
	ErrUserAuthentication = &Error{Code: "user_authentication"} // no accepted user_authentication level asserted
	ErrRevoked            = &Error{Code: "revoked"}             // the status list entry is not valid
	ErrStatusUnchecked    = &Error{Code: "status_unchecked"}    // a status list is named and none can be checked
)

func newErr(kind *Error, cause error, format string, args ...any) *Error {
	return coded.New(kind, cause, format, args...)
}
