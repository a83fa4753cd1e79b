package sdjwt

import "errors"

// Stable machine codes carried by *Error. Callers switch on Code (or use
// errors.Is with &Error{Code: ...}); the human text may change.
const (
	CodeMalformed              = "malformed"
	CodeAlgNotAllowed          = "alg_not_allowed"
	CodeSignatureInvalid       = "signature_invalid"
	CodeKeyUnresolved          = "key_unresolved"
	CodeSDAlgUnsupported       = "sd_alg_unsupported"
	CodeDisclosureMalformed    = "disclosure_malformed"
	CodeDisclosureUnreferenced = "disclosure_unreferenced"
	CodeDisclosureDuplicate    = "disclosure_duplicate"
	CodeDigestDuplicate        = "digest_duplicate"
	CodeClaimConflict          = "claim_conflict"
	CodeKBMissing              = "kb_missing"
	CodeKBMalformed            = "kb_malformed"
	CodeKBTyp                  = "kb_typ"
	CodeKBSignatureInvalid     = "kb_signature_invalid"
	CodeKBAud                  = "kb_aud"
	CodeKBNonce                = "kb_nonce"
	CodeKBIat                  = "kb_iat"
	CodeKBSDHash               = "kb_sd_hash"
	CodeCnfMissing             = "cnf_missing"
	CodePathInvalid            = "path_invalid"   // Issue/Present: a path names nothing
	CodeConfigInvalid          = "config_invalid" // caller passed unusable options
	CodeSignFailed             = "sign_failed"    // the issuer/holder signer failed
)

// Error is the single error type of this package. Messages never contain
// claim values or whole credentials (they may end up in logs).
type Error struct {
	Code string
	Msg  string
	Err  error // underlying cause, if any
}

func (e *Error) Error() string {
	s := "sdjwt: " + e.Code
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &Error{Code: CodeX}) match on the code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Msg == "" && t.Err == nil
}

// ErrorCode returns the Code of the first *Error in err's chain, or "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func newErr(code, msg string) *Error { return &Error{Code: code, Msg: msg} }

func wrapErr(code, msg string, err error) *Error { return &Error{Code: code, Msg: msg, Err: err} }
