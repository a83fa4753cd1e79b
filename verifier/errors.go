package verifier

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/oid4vp"
)

// Error is a verifier-level failure with a stable code.
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("verifier: %s: %s", e.Code, e.Msg) }

// ErrorBody is the JSON shape of every error answer.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Render maps any error to (HTTP status, body). It is the only place that does so.
// Rejections of a presentation are 422 with the precise reason code; messages never echo
// credential contents.
func Render(err error) (int, ErrorBody) {
	var ve *Error
	var oe *oid4vp.Error
	switch {
	case errors.As(err, &ve):
		return statusOf(ve.Code), ErrorBody{Code: ve.Code, Message: ve.Msg}
	case errors.Is(err, ErrRequestNotFound):
		return http.StatusNotFound, ErrorBody{"request_not_found", err.Error()}
	case errors.Is(err, ErrRequestUsed):
		return http.StatusConflict, ErrorBody{"nonce_replayed", "this presentation request (and its nonce) was already used"}
	case errors.Is(err, ErrRequestExpired):
		return http.StatusGone, ErrorBody{"request_expired", err.Error()}
	case errors.Is(err, ErrClientRequestLimit):
		return http.StatusTooManyRequests, ErrorBody{"too_many_open_requests", "this client holds too many open presentation requests; answer or let some expire"}
	case errors.Is(err, ErrNetworkRequestLimit):
		return http.StatusTooManyRequests, ErrorBody{"too_many_open_requests", "this client's network holds too many open presentation requests; answer or let some expire"}
	case errors.Is(err, ErrResponseCode):
		return http.StatusForbidden, ErrorBody{"invalid_response_code", err.Error()}
	case errors.Is(err, ErrResultRead):
		return http.StatusGone, ErrorBody{"result_already_read", "the outcome is handed out once and was already read"}
	case errors.As(err, &oe):
		// OpenID4VP failures: the §8.5 code, with the failed check first in the message.
		return http.StatusBadRequest, ErrorBody{Code: string(oe.Code), Message: oid4vp.ReasonOf(oe) + ": " + oe.Error()}
	case errors.Is(err, ErrTooManyRequests):
		return http.StatusServiceUnavailable, ErrorBody{"overloaded", err.Error()}
	}
	code := string(credential.CodeOf(err))
	if code == string(credential.CodeInternal) {
		return http.StatusInternalServerError, ErrorBody{code, "internal error"}
	}
	return statusOf(code), ErrorBody{Code: code, Message: err.Error()}
}

func statusOf(code string) int {
	switch code {
	case "invalid_request", "malformed_json", "malformed_request":
		return http.StatusBadRequest
	case "unauthorized": // gate operator, check-in or terminal token; relying-party token
		return http.StatusUnauthorized
	case "overloaded":
		return http.StatusServiceUnavailable
	case "rate_limited":
		return http.StatusTooManyRequests
	case "body_too_large":
		return http.StatusRequestEntityTooLarge
	case "not_found", "request_not_found", "unknown_gate":
		return http.StatusNotFound
	case "method_not_allowed":
		return http.StatusMethodNotAllowed
	case string(credential.CodeStatusUnavailable):
		return http.StatusUnprocessableEntity
	case string(credential.CodeInternal):
		return http.StatusInternalServerError
	}
	return http.StatusUnprocessableEntity
}

// WalletErrorBody is the error answer of the wallet-facing endpoints (request_uri and
// response_uri): OAuth's error and error_description with an OpenID4VP §8.5 code, and idgate's
// code and message beside them for clients that read those.
type WalletErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Code             string `json:"code"`
	Message          string `json:"message"`
}

// RenderWallet maps an error of a wallet-facing endpoint to (HTTP status, body): the status
// and code of Render, and as error the OpenID4VP code (invalid_request for a refused request
// or response, server_error or temporarily_unavailable when the verifier cannot answer).
func RenderWallet(err error) (int, WalletErrorBody) {
	status, b := Render(err)
	var oe *oid4vp.Error
	var ve *Error
	code, desc := string(oid4vp.InvalidRequest), b.Code+": "+b.Message
	switch {
	case !errors.As(err, &ve) && errors.As(err, &oe):
		code, desc = string(oe.Code), b.Message // the message starts with the failed check
	case status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests:
		code = "temporarily_unavailable"
	case status >= 500:
		code = "server_error"
	}
	return status, WalletErrorBody{Error: code, ErrorDescription: oauthText(desc), Code: b.Code, Message: b.Message}
}

// oauthText keeps s to the characters OAuth allows in error_description (RFC 6749 §5.2:
// %x20-21 / %x23-5B / %x5D-7E): a double quote becomes an apostrophe, a backslash a slash,
// anything else outside a question mark. At most 512 bytes.
func oauthText(s string) string {
	b := make([]byte, 0, min(len(s), 512))
	for i := 0; i < len(s) && len(b) < 512; i++ {
		switch c := s[i]; {
		case c == '"':
			b = append(b, '\'')
		case c == '\\':
			b = append(b, '/')
		case c < 0x20 || c > 0x7e:
			b = append(b, '?')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}
