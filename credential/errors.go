package credential

import (
	"errors"
	"fmt"

	"github.com/idgate/idgate/sdjwt"
)

// Code is a stable, machine-readable reason for a rejected credential or request. HTTP layers
// put it in their {code, message} bodies unchanged; sdjwt's codes pass through as they are.
type Code string

const (
	CodeInvalidRequest    Code = "invalid_request"
	CodeMalformed         Code = "malformed"
	CodeTyp               Code = "typ_invalid"
	CodeUntrustedIssuer   Code = "untrusted_issuer"
	CodeIssuerCertTime    Code = "issuer_cert_not_valid"
	CodeIssuerMismatch    Code = "iss_mismatch"
	CodeVCTNotAccepted    Code = "vct_not_accepted"
	CodeExpired           Code = "expired"
	CodeNotYetValid       Code = "not_yet_valid"
	CodeIssuedInFuture    Code = "iat_in_future"
	CodeMissingClaim      Code = "missing_claim"
	CodeStatusMissing     Code = "status_missing"
	CodeRevoked           Code = "revoked"
	CodeSuspended         Code = "suspended"
	CodeStatusUnavailable Code = "status_unavailable"
	CodeStatusInvalid     Code = "status_invalid"
	CodeNotDisclosed      Code = "claim_not_disclosed"
	CodeInternal          Code = "internal"
)

// Error is a typed credential failure.
type Error struct {
	Code Code
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("credential: %s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("credential: %s: %s", e.Code, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

func newError(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...)}
}

func wrapError(c Code, err error, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the stable code of err: a credential Code, sdjwt's code (same string space) or
// "internal" for anything else.
func CodeOf(err error) Code {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	if c := sdjwt.ErrorCode(err); c != "" {
		return Code(c)
	}
	return CodeInternal
}
