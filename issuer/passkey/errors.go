package passkey

import (
	"errors"
	"fmt"
)

// Error codes, stable for clients.
const (
	CodeInvalidRequest  = "invalid_request"      // malformed body or ceremony response
	CodeInvalidInvite   = "invalid_invite"       // unknown invitation token
	CodeInviteExpired   = "invite_expired"       // invitation past its expiry
	CodeInviteUsed      = "invite_used"          // invitation already consumed
	CodeInvalidSession  = "invalid_session"      // unknown, expired, used or wrong-kind ceremony session
	CodeVerification    = "verification_failed"  // attestation/assertion did not verify (origin, UV, signature…)
	CodeUnknownPasskey  = "unknown_passkey"      // credential id not registered
	CodeCloneDetected   = "authenticator_cloned" // sign counter did not advance
	CodeUnavailable     = "passkeys_unavailable" // the issuer cannot act as a relying party
	CodeTooManySessions = "too_many_sessions"    // single-use record set full (successful ceremonies)
	CodePasskeyBusy     = "passkey_rate_limited" // this passkey's logins in the last minutes reached its share
)

// Sentinel errors for errors.Is; every *Error wraps exactly one of them.
var (
	ErrInvalidRequest  = errors.New("passkey: invalid request")
	ErrInvalidInvite   = errors.New("passkey: invalid invite")
	ErrInvalidSession  = errors.New("passkey: invalid session")
	ErrVerification    = errors.New("passkey: verification failed")
	ErrUnknownPasskey  = errors.New("passkey: unknown passkey")
	ErrCloneDetected   = errors.New("passkey: authenticator cloned")
	ErrUnavailable     = errors.New("passkey: unavailable")
	ErrTooManySessions = errors.New("passkey: too many sessions")
	// ErrNotFound and ErrConflict are the Store's own results.
	ErrNotFound = errors.New("passkey: not found")
	ErrConflict = errors.New("passkey: conflict")
)

// Error is a typed passkey failure: Code is stable, Msg is safe to show, Err says why.
type Error struct {
	Code string
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	return fmt.Sprintf("passkey: %s: %s", e.Code, e.Msg)
}

// Unwrap exposes the sentinel and the underlying cause.
func (e *Error) Unwrap() []error {
	out := []error{sentinel(e.Code)}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

func sentinel(code string) error {
	switch code {
	case CodeInvalidInvite, CodeInviteExpired, CodeInviteUsed:
		return ErrInvalidInvite
	case CodeInvalidSession:
		return ErrInvalidSession
	case CodeVerification:
		return ErrVerification
	case CodeUnknownPasskey:
		return ErrUnknownPasskey
	case CodeCloneDetected:
		return ErrCloneDetected
	case CodeUnavailable:
		return ErrUnavailable
	case CodeTooManySessions, CodePasskeyBusy:
		return ErrTooManySessions
	}
	return ErrInvalidRequest
}

func fail(code, msg string, cause error) *Error { return &Error{Code: code, Msg: msg, Err: cause} }
