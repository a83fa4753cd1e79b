package issuerhttp

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/passkey"
	"github.com/idgate/idgate/issuer/storage"
)

// TestStatusOf: the one code → status mapping, including the two statuses that depend on the
// cause (an oversized body, an issuer that cannot act for now), not on the code.
func TestStatusOf(t *testing.T) {
	tooBig := &http.MaxBytesError{Limit: 10}
	for _, tc := range []struct {
		err  error
		want int
	}{
		{&issuer.Error{Code: issuer.CodeInvalidRequest}, http.StatusBadRequest},
		{&issuer.Error{Code: issuer.CodeInvalidRequest, Err: tooBig}, http.StatusRequestEntityTooLarge},
		{&issuer.Error{Code: issuer.CodeInvalidCredentialRequest, Err: tooBig}, http.StatusRequestEntityTooLarge},
		{&issuer.Error{Code: issuer.CodeInvalidToken}, http.StatusUnauthorized},
		{&issuer.Error{Code: issuer.CodeUnauthorized}, http.StatusUnauthorized},
		{&issuer.Error{Code: issuer.CodeConflict}, http.StatusConflict},
		{&issuer.Error{Code: issuer.CodeInvalidPortrait}, http.StatusUnprocessableEntity},
		{&issuer.Error{Code: issuer.CodeFaceUnavailable}, http.StatusServiceUnavailable},
		{&issuer.Error{Code: issuer.CodeInternal}, http.StatusInternalServerError},
		{&issuer.Error{Code: issuer.CodeInternal, Err: issuer.ErrUnavailable}, http.StatusServiceUnavailable},
		{&issuer.Error{Code: CodeRateLimited}, http.StatusTooManyRequests},
		{fmt.Errorf("wrapped: %w", storage.ErrNotFound), http.StatusNotFound},
		{storage.ErrAlreadyExists, http.StatusConflict},
		{fmt.Errorf("disk on fire"), http.StatusInternalServerError},
		{&passkey.Error{Code: passkey.CodeInviteUsed}, http.StatusGone},
		{&passkey.Error{Code: passkey.CodeCloneDetected}, http.StatusForbidden},
		{&passkey.Error{Code: passkey.CodeUnavailable}, http.StatusServiceUnavailable},
		{&passkey.Error{Code: "some_new_code"}, http.StatusBadRequest},
		{passkey.ErrNotFound, http.StatusNotFound},
	} {
		if got := statusOf(asError(tc.err)); got != tc.want {
			t.Errorf("%v: status %d, want %d", tc.err, got, tc.want)
		}
	}
}
