package issuer

import (
	"errors"
	"fmt"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"
)

// Error codes. Wallet-facing ones are the OAuth 2.0 / OpenID4VCI error codes, so wallets can act
// on them (e.g. fetch a fresh nonce on invalid_nonce). Package issuerhttp maps each code to its
// HTTP status.
const (
	CodeInvalidRequest   = "invalid_request"
	CodeInvalidGrant     = "invalid_grant"
	CodeUnsupportedGrant = "unsupported_grant_type"
	CodeInvalidToken     = "invalid_token"
	CodeInvalidProof     = "invalid_proof"
	// CodeInvalidCredentialRequest is OpenID4VCI 1.0 §8.3.1.2's code for a malformed or
	// contradictory credential request (the token endpoint keeps invalid_request).
	CodeInvalidCredentialRequest = "invalid_credential_request"
	CodeInvalidNonce             = "invalid_nonce"
	CodeUnknownConfiguration     = "unknown_credential_configuration"
	CodeUnauthorized             = "unauthorized"
	CodeNotFound                 = "not_found"
	CodeConflict                 = "conflict"
	CodeInvalidPortrait          = "invalid_portrait"
	CodeFaceUnavailable          = "face_enrolment_unavailable"
	CodeInternal                 = "server_error"
)

// ErrUnavailable marks a CodeInternal failure that is a state of the issuer, not a fault: an
// expired signing certificate, no status-list slot. Clients may retry later.
var ErrUnavailable = errors.New("issuer temporarily unavailable")

// Error is a typed issuer failure: a code clients act on and a message safe to show them.
type Error struct {
	Code string
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("issuer: %s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("issuer: %s: %s", e.Code, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

func errf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

func unavailable(format string, args ...any) *Error {
	return &Error{Code: CodeInternal, Msg: fmt.Sprintf(format, args...), Err: ErrUnavailable}
}

// AsError maps any error to an *Error: typed ones pass, storage and credential errors get
// their codes, anything else is an internal error whose detail stays in the log.
func AsError(err error) *Error {
	var ie *Error
	if errors.As(err, &ie) {
		return ie
	}
	var ce *credential.Error
	switch {
	case errors.As(err, &ce) && ce.Code == credential.CodeInvalidRequest:
		return &Error{Code: CodeInvalidRequest, Msg: ce.Msg, Err: err}
	case errors.Is(err, storage.ErrNotFound):
		return &Error{Code: CodeNotFound, Msg: "not found", Err: err}
	case errors.Is(err, storage.ErrAlreadyExists), errors.Is(err, storage.ErrConflict):
		return &Error{Code: CodeConflict, Msg: "conflict", Err: err}
	}
	return &Error{Code: CodeInternal, Msg: "internal error", Err: err}
}
