package walletsdk

import (
	"errors"
	"fmt"
)

// Stable machine codes carried by *Error. Apps switch on these; the Msg is for humans and logs.
const (
	CodeConfig            = "config"              // bad Config or arguments
	CodeInvalidOffer      = "invalid_offer"       // offer URI or JSON malformed
	CodeUnsupportedOffer  = "unsupported_offer"   // no pre-authorised grant, unknown configuration
	CodeTxCodeRequired    = "tx_code_required"    // offer demands a transaction code, none given
	CodeMetadata          = "invalid_metadata"    // issuer or AS metadata malformed
	CodeIssuerMismatch    = "issuer_mismatch"     // metadata names another issuer than the offer
	CodeTransport         = "transport"           // network failure, timeout, unexpected status
	CodeCancelled         = "cancelled"           // the app cancelled the call (package mobile)
	CodeResponseTooLarge  = "response_too_large"  // a peer sent more than the size bound
	CodeTokenError        = "token_error"         // token endpoint refused the grant
	CodeCredentialError   = "credential_error"    // credential endpoint refused the request
	CodeInvalidCredential = "invalid_credential"  // received credential malformed or unverifiable
	CodeKeyMismatch       = "key_mismatch"        // credential bound to a key that is not ours
	CodeVCTMismatch       = "vct_mismatch"        // credential type differs from the offer/request
	CodeBadSignature      = "bad_signature"       // issuer signature does not verify
	CodeStoreTampered     = "store_tampered"      // a sealed file failed authentication or parsing
	CodeWrongKey          = "wrong_key"           // store key or passphrase does not open the store
	CodeStoreIO           = "store_io"            // filesystem failure
	CodeNotFound          = "not_found"           // no such credential or key
	CodeInvalidRequest    = "invalid_request"     // presentation request malformed
	CodeClaimNotAvailable = "claim_not_available" // a requested claim is not in the credential
	CodeKeyStore          = "key_store"           // key store failure (generate, sign)
	// OpenID4VP: Err of a CodeVPRequest error is an *oid4vp.Error naming the failed check
	// (oid4vp.ReasonOf: untrusted_verifier, client_id_mismatch, request_signature_invalid...).
	CodeVPRequest            = "invalid_vp_request"     // link or Request Object refused
	CodeNoMatchingCredential = "no_matching_credential" // stored credentials cannot satisfy the DCQL query
	CodeVerifierRejected     = "verifier_rejected"      // response_uri refused the response
)

// Error is every failure the SDK returns. Match it with errors.As, or errors.Is against an
// *Error carrying only a Code (e.g. errors.Is(err, &walletsdk.Error{Code: walletsdk.CodeWrongKey})).
type Error struct {
	Code string // stable machine code, one of the Code* constants
	Msg  string // human-readable detail; never contains credentials or key material
	Err  error  // underlying cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("walletsdk: %s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("walletsdk: %s: %s", e.Code, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error by Code, so callers can compare against a code-only template.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && t.Code == e.Code
}

// ProtocolError is the OAuth-style error body an issuer endpoint answered with; it is the
// Err of a CodeTokenError or CodeCredentialError *Error.
type ProtocolError struct {
	Status      int    // HTTP status
	ErrorCode   string `json:"error"`
	Description string `json:"error_description"`
}

func (p *ProtocolError) Error() string {
	if p.Description != "" {
		return fmt.Sprintf("HTTP %d %s: %s", p.Status, p.ErrorCode, p.Description)
	}
	return fmt.Sprintf("HTTP %d %s", p.Status, p.ErrorCode)
}

func newErr(code, msg string, cause error) *Error { return &Error{Code: code, Msg: msg, Err: cause} }

// CodeOf returns the Code of the first *Error in err's chain, or "" if there is none.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
