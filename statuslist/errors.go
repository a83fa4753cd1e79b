package statuslist

import "github.com/idgate/idgate/internal/coded"

// Error is the typed error of this package (a coded.Error): Code is stable for machines, Detail
// for humans, Err the cause (which may itself be a certs.Error, so errors.Is(err,
// certs.ErrUntrusted) works too). errors.Is matches any *Error with the same Code.
type Error = coded.Error[pkg]

// pkg names this package's errors.
type pkg struct{}

func (pkg) Prefix() string { return "statuslist" }

var (
	// ErrMalformed: a status list (bits, lst) that does not decode, or exceeds its bounds.
	ErrMalformed = &Error{Code: "malformed_list"}
	// ErrRange: a bad index or value for Get/Set, or bad New parameters.
	ErrRange = &Error{Code: "out_of_range"}
	// ErrInvalidList: a status list token that fails verification (signature, chain, typ, alg,
	// claims, expiry, sub mismatch, index beyond the list). Never answered with a status.
	ErrInvalidList = &Error{Code: "invalid_list"}
	// ErrUnavailable: the status list could not be fetched (network, timeout, HTTP error).
	ErrUnavailable = &Error{Code: "unavailable"}
)

func newErr(kind *Error, cause error, format string, args ...any) *Error {
	return coded.New(kind, cause, format, args...)
}
