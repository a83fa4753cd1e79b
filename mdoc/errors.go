package mdoc

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable reason for a rejected mdoc. Codes that mean the same as
// an SD-JWT VC failure carry the same string as sdjwt's and credential's codes, so HTTP layers
// render both formats through one mapping.
type Code string

const (
	CodeMalformed          Code = "malformed"               // bytes that do not decode under the strict CBOR rules, or a missing structure
	CodeAlgNotAllowed      Code = "alg_not_allowed"         // a COSE alg other than ES256 (or HMAC 256/256 for deviceMac)
	CodeSignatureInvalid   Code = "signature_invalid"       // issuerAuth does not verify under the DS key
	CodeUntrustedIssuer    Code = "untrusted_issuer"        // DS chain not to an IACA trusted for the docType, or not a DS certificate
	CodeIssuerCertTime     Code = "issuer_cert_not_valid"   // DS or IACA not valid at the MSO's signed time
	CodeExpired            Code = "expired"                 // now is after validUntil
	CodeNotYetValid        Code = "not_yet_valid"           // now is before validFrom
	CodeDocTypeMismatch    Code = "doctype_mismatch"        // the MSO's docType is not the Document's, or not the one asked for
	CodeDigestAlg          Code = "sd_alg_unsupported"      // an MSO digestAlgorithm other than SHA-256
	CodeUnreferenced       Code = "disclosure_unreferenced" // a presented element whose digest is not the MSO's for its digestID
	CodeDuplicate          Code = "disclosure_duplicate"    // two presented elements with one digestID in a namespace
	CodeDeviceAuthMissing  Code = "kb_missing"              // neither deviceSignature nor deviceMac
	CodeDeviceAuthInvalid  Code = "kb_signature_invalid"    // device signature or MAC does not verify over the expected transcript
	CodeDeviceKey          Code = "cnf_missing"             // the MSO's deviceKey is not a usable P-256 COSE_Key
	CodeNotDisclosed       Code = "claim_not_disclosed"     // the holder does not hold a requested element
	CodeConfigInvalid      Code = "config_invalid"          // the caller passed unusable options
	CodeSignFailed         Code = "sign_failed"             // the issuer's or holder's signer failed
	CodeDocumentNotPresent Code = "document_missing"        // a DeviceResponse without the expected document
	CodeStatusMissing      Code = "status_missing"          // the MSO has no status list reference
	CodeRevoked            Code = "revoked"                 // the status list says INVALID
	CodeSuspended          Code = "suspended"               // the status list says SUSPENDED
	CodeStatusUnavailable  Code = "status_unavailable"      // the status list cannot be fetched or verified
	CodeStatusInvalid      Code = "status_invalid"          // a status value or index idgate does not accept
)

// Error is a typed mdoc failure.
type Error struct {
	Code Code
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("mdoc: %s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("mdoc: %s: %s", e.Code, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches an *Error with the same Code, so errors.Is(err, &Error{Code: CodeExpired}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Msg == "" && t.Err == nil
}

func newErr(c Code, err error, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the Code of err, or "" when err is not an mdoc error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
