package gate

import (
	"errors"
	"fmt"
)

// Reason is a stable, machine-readable reason for a deny (or for a rejected operator/check-in
// request). Gate UIs, logs and metrics switch on it; published values never change.
type Reason string

// Deny reasons of Verify, Identify and Enrol.
const (
	ReasonMalformedRequest   Reason = "malformed_request"
	ReasonUnknownGate        Reason = "unknown_gate"
	ReasonGateNotBoarding    Reason = "gate_not_boarding"
	ReasonNonceInvalid       Reason = "nonce_invalid" // not issued for this gate, expired or used
	ReasonCredentialInvalid  Reason = "credential_invalid"
	ReasonCredentialRevoked  Reason = "credential_revoked"
	ReasonCredentialSuspend  Reason = "credential_suspended"
	ReasonCredentialExpired  Reason = "credential_expired"
	ReasonStatusUnavailable  Reason = "status_unavailable"
	ReasonClaimNotDisclosed  Reason = "claim_not_disclosed"
	ReasonPassMalformed      Reason = "pass_malformed"
	ReasonPassUnsigned       Reason = "pass_unsigned"
	ReasonPassSignature      Reason = "pass_signature_invalid"
	ReasonPassUnknownAirline Reason = "pass_unknown_airline"
	ReasonWrongFlight        Reason = "wrong_flight"
	ReasonPassStale          Reason = "pass_stale" // no date of issue, or issued too long before the flight
	ReasonNameMismatch       Reason = "name_mismatch"
	ReasonFaceMismatch       Reason = "face_mismatch"
	ReasonFaceTemplate       Reason = "face_template_invalid" // the ID's sealed template cannot be opened
	ReasonLiveFaceInvalid    Reason = "live_face_invalid"
	ReasonNoFaceExtractor    Reason = "face_extractor_unavailable"
	ReasonPresentationAttack Reason = "presentation_attack" // the live capture failed the liveness check
	ReasonLivenessUnverified Reason = "liveness_unverified" // no liveness check ran where one is required
	ReasonFaceModelMismatch  Reason = "face_model_mismatch"
	ReasonNoMatch            Reason = "no_match"
	ReasonAmbiguousMatch     Reason = "ambiguous_match"
	ReasonAlreadyBoarded     Reason = "already_boarded"
	ReasonInternal           Reason = "internal_error"
)

// Error is a typed failure of the gate's non-decision operations (gate configuration, nonces,
// decoding). Code is stable; Msg never contains credential, pass or biometric contents.
type Error struct {
	Code Reason
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("gate: %s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("gate: %s: %s", e.Code, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches any *Error with the same Code, so errors.Is(err, ErrUnknownGate) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Codes of Error that are not deny reasons.
const (
	CodeInvalidRequest Reason = "invalid_request"
	CodeUnauthorized   Reason = "unauthorized"
	CodeOverloaded     Reason = "overloaded"
)

// Sentinels for errors.Is. Store implementations return ErrGateNotFound and ErrAlreadyBoarded.
var (
	ErrGateNotFound   = &Error{Code: ReasonUnknownGate, Msg: "no such gate"}
	ErrAlreadyBoarded = &Error{Code: ReasonAlreadyBoarded, Msg: "boarding pass already used"}
	ErrMalformed      = &Error{Code: ReasonMalformedRequest, Msg: "malformed request"}
	ErrInvalid        = &Error{Code: CodeInvalidRequest, Msg: "invalid request"}
	ErrUnauthorized   = &Error{Code: CodeUnauthorized, Msg: "missing or wrong token"}
	ErrOverloaded     = &Error{Code: CodeOverloaded, Msg: "too many outstanding nonces"}
)

func errorf(code Reason, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// CodeOf returns the stable code of err ("internal_error" when err is not a gate *Error).
func CodeOf(err error) Reason {
	var ge *Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return ReasonInternal
}
