package issuerhttp

import (
	"errors"
	"net/http"
	"strings"

	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/passkey"
)

// statusOfCode is the HTTP status of each issuer, passkey and HTTP-layer error code. A code
// not listed answers 400.
var statusOfCode = map[string]int{
	issuer.CodeInvalidRequest:           http.StatusBadRequest,
	issuer.CodeInvalidGrant:             http.StatusBadRequest,
	issuer.CodeUnsupportedGrant:         http.StatusBadRequest,
	issuer.CodeInvalidToken:             http.StatusUnauthorized,
	issuer.CodeInvalidProof:             http.StatusBadRequest,
	issuer.CodeInvalidCredentialRequest: http.StatusBadRequest,
	issuer.CodeInvalidNonce:             http.StatusBadRequest,
	issuer.CodeUnknownConfiguration:     http.StatusBadRequest,
	issuer.CodeUnauthorized:             http.StatusUnauthorized,
	issuer.CodeNotFound:                 http.StatusNotFound,
	issuer.CodeConflict:                 http.StatusConflict,
	issuer.CodeInvalidPortrait:          http.StatusUnprocessableEntity,
	issuer.CodeFaceUnavailable:          http.StatusServiceUnavailable,
	issuer.CodeInternal:                 http.StatusInternalServerError,
	CodeRateLimited:                     http.StatusTooManyRequests,
	passkey.CodeInvalidInvite:           http.StatusNotFound,
	passkey.CodeInviteExpired:           http.StatusGone,
	passkey.CodeInviteUsed:              http.StatusGone,
	passkey.CodeInvalidSession:          http.StatusBadRequest,
	passkey.CodeVerification:            http.StatusUnauthorized,
	passkey.CodeUnknownPasskey:          http.StatusUnauthorized,
	passkey.CodeCloneDetected:           http.StatusForbidden,
	passkey.CodeUnavailable:             http.StatusServiceUnavailable,
	passkey.CodeTooManySessions:         http.StatusServiceUnavailable,
	passkey.CodePasskeyBusy:             http.StatusTooManyRequests,
}

// asError maps any error to an *issuer.Error: passkey errors keep their code and message,
// the rest go through issuer.AsError.
func asError(err error) *issuer.Error {
	var ie *issuer.Error
	if errors.As(err, &ie) {
		return ie
	}
	var pe *passkey.Error
	if errors.As(err, &pe) {
		return &issuer.Error{Code: pe.Code, Msg: pe.Msg, Err: err}
	}
	if errors.Is(err, passkey.ErrNotFound) {
		return &issuer.Error{Code: issuer.CodeNotFound, Msg: "not found", Err: err}
	}
	return issuer.AsError(err)
}

// statusOf is the HTTP status of e: a body over its limit is 413 and an issuer that cannot
// act for now 503, whatever their code; otherwise the code's status.
func statusOf(e *issuer.Error) int {
	switch {
	case errors.As(e, new(*http.MaxBytesError)):
		return http.StatusRequestEntityTooLarge
	case errors.Is(e, issuer.ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	if status, ok := statusOfCode[e.Code]; ok {
		return status
	}
	return http.StatusBadRequest
}

// writeError is the single error rendering: OAuth-style {error, error_description} plus
// {code, message} for operator clients. Internal details stay in the log.
func (s *server) writeError(w http.ResponseWriter, err error) {
	e := asError(err)
	status := statusOf(e)
	if status >= 500 {
		s.svc.Logger().Error("request failed", "code", e.Code, "err", err)
	}
	body := map[string]any{"error": e.Code, "error_description": oauthDescription(e.Msg), "code": e.Code, "message": e.Msg}
	if e.Code == issuer.CodeInvalidNonce {
		nonce, ttl := s.svc.Nonce()
		body["c_nonce"], body["c_nonce_expires_in"] = nonce, ttl
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="`+e.Code+`"`)
	}
	writeJSON(w, status, body)
}

// oauthDescription keeps error_description to the characters RFC 6749 §5.2 allows
// (%x20-21 / %x23-5B / %x5D-7E): a quote becomes ', a backslash /, anything else ?.
func oauthDescription(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r == '\\':
			return '/'
		case r < 0x20 || r > 0x7e:
			return '?'
		}
		return r
	}, s)
}
