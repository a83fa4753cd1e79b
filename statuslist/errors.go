package statuslist

import "fmt"

// Error is the typed error of this package: Code is stable for machines, Detail for humans, Err
// the cause (which may itself be a certs.Error, so errors.Is(err, certs.ErrUntrusted) works too).
type Error struct {
	Code   string
	Detail string
	Err    error
}

func (e *Error) Error() string {
	msg := "statuslist: " + e.Code
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches any *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

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
	return &Error{Code: kind.Code, Detail: fmt.Sprintf(format, args...), Err: cause}
}
