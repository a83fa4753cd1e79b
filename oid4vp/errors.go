package oid4vp

import (
	"errors"
	"fmt"
)

// ErrorCode is an OpenID4VP error code (§8.5, plus the JAR codes it imports).
type ErrorCode string

const (
	InvalidRequest          ErrorCode = "invalid_request"
	InvalidClient           ErrorCode = "invalid_client"
	AccessDenied            ErrorCode = "access_denied"
	InvalidScope            ErrorCode = "invalid_scope"
	VPFormatsNotSupported   ErrorCode = "vp_formats_not_supported"
	InvalidRequestURIMethod ErrorCode = "invalid_request_uri_method"
	InvalidTransactionData  ErrorCode = "invalid_transaction_data"
	WalletUnavailable       ErrorCode = "wallet_unavailable"
	InvalidRequestURI       ErrorCode = "invalid_request_uri"
	InvalidRequestObject    ErrorCode = "invalid_request_object"
)

// knownCodes are the codes a wallet may send back in an error response.
var knownCodes = map[ErrorCode]bool{
	InvalidRequest: true, InvalidClient: true, AccessDenied: true, InvalidScope: true,
	VPFormatsNotSupported: true, InvalidRequestURIMethod: true, InvalidTransactionData: true,
	WalletUnavailable: true, InvalidRequestURI: true, InvalidRequestObject: true,
}

// Reasons refine a Code into a stable machine string that names the failed check; verifiers
// report them as the failure of a transaction, wallets show them to the holder.
const (
	ReasonMalformedQuery       = "malformed_query"
	ReasonMalformedRequest     = "malformed_request"
	ReasonMalformedResponse    = "malformed_response"
	ReasonSignature            = "request_signature_invalid"
	ReasonUntrustedVerifier    = "untrusted_verifier"
	ReasonClientIDMismatch     = "client_id_mismatch"
	ReasonUnsupportedPrefix    = "unsupported_client_id_prefix"
	ReasonRequestExpired       = "request_expired"
	ReasonWalletNonce          = "wallet_nonce_mismatch"
	ReasonNoMatch              = "no_matching_credential"
	ReasonUnknownQueryID       = "unknown_query_id"
	ReasonTooManyPresentations = "too_many_presentations"
	ReasonQueryNotSatisfied    = "query_not_satisfied"
	ReasonCredentialMissing    = "credential_missing"
	ReasonUnrequested          = "unrequested_credential"
	ReasonUnrequestedClaim     = "unrequested_claim"
	ReasonPresentationInvalid  = "presentation_invalid"
	ReasonHolderBinding        = "holder_binding_missing"
	ReasonDecryption           = "decryption_failed"
	ReasonStateMismatch        = "state_mismatch"
	ReasonWalletError          = "wallet_error"
	ReasonModeMismatch         = "response_mode_mismatch"
)

// Error is this package's typed error. Code is the OpenID4VP error code a peer receives,
// Reason the check that failed. Detail never carries claim values or key material.
type Error struct {
	Code   ErrorCode
	Reason string
	Detail string
	Err    error
}

func (e *Error) Error() string {
	msg := "oid4vp: " + string(e.Code)
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches an *Error with the same Code and, when the target names one, the same Reason.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Reason == "" || t.Reason == e.Reason)
}

// Sentinels for errors.Is, one per code.
var (
	ErrInvalidRequest        = &Error{Code: InvalidRequest}
	ErrInvalidClient         = &Error{Code: InvalidClient}
	ErrAccessDenied          = &Error{Code: AccessDenied}
	ErrInvalidScope          = &Error{Code: InvalidScope}
	ErrVPFormatsNotSupported = &Error{Code: VPFormatsNotSupported}
	ErrInvalidRequestObject  = &Error{Code: InvalidRequestObject}
	ErrInvalidRequestURI     = &Error{Code: InvalidRequestURI}
)

// Reason returns a sentinel matching errors with code and reason, e.g.
// errors.Is(err, oid4vp.Reason(oid4vp.InvalidRequest, oid4vp.ReasonStateMismatch)).
func Reason(code ErrorCode, reason string) error { return &Error{Code: code, Reason: reason} }

// ReasonOf returns the Reason of an *Error (or its Code when it has none), else "".
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Reason != "" {
			return e.Reason
		}
		return string(e.Code)
	}
	return ""
}

func errorf(code ErrorCode, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

func wrapf(code ErrorCode, reason string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Detail: fmt.Sprintf(format, args...), Err: err}
}
