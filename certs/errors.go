package certs

import "github.com/idgate/idgate/internal/coded"

// Error is the typed error of this package (a coded.Error). Code is a stable machine string
// (for logs, metrics and API responses); Detail is for humans. errors.Is matches on Code, so
// errors.Is(err, ErrUntrusted) holds for every untrusted-chain error whatever its detail.
type Error = coded.Error[pkg]

// pkg names this package's errors.
type pkg struct{}

func (pkg) Prefix() string { return "certs" }

// Sentinels for errors.Is.
var (
	// ErrUntrusted: no anchor for the purpose and scope, or the chain does not reach its roots.
	ErrUntrusted = &Error{Code: "untrusted"}
	// ErrNotValidAtTime: a certificate of the chain is expired or not yet valid at the given time.
	ErrNotValidAtTime = &Error{Code: "not_valid_at_time"}
	// ErrNameNotAllowed: the leaf's Subject CN is not on the anchor's allow-list.
	ErrNameNotAllowed = &Error{Code: "name_not_allowed"}
	// ErrKeyUsage: the leaf's key usage is not its role's (Profile.Check), or it is a CA.
	ErrKeyUsage = &Error{Code: "key_usage"}
	// ErrExtKeyUsage: the leaf lacks the extended key usage of the role it is used for
	// (Profile.Check), e.g. a TLS server certificate presented as a credential signer.
	ErrExtKeyUsage = &Error{Code: "ext_key_usage"}
	// ErrMalformed: bytes that do not parse (x5c, PEM, trust list JSON).
	ErrMalformed = &Error{Code: "malformed"}
	// ErrPKI: a development PKI directory that cannot be created or loaded as it stands.
	ErrPKI = &Error{Code: "pki"}
)

func newErr(kind *Error, cause error, format string, args ...any) *Error {
	return coded.New(kind, cause, format, args...)
}
