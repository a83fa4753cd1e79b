package airline

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/idgate/idgate/api"
	"github.com/idgate/idgate/internal/jsonscan"
)

// MaxBodyBytes bounds a pass request.
const MaxBodyBytes = 8 << 10

// Handler serves POST /v1/passes for check-in systems holding the bearer token whose SHA-256
// is tokenHash: a PassRequest in, {"bcbp": "..."} out, or {code, message}; and its OpenAPI
// document at GET /openapi.json (api/airline.yaml); GET /healthz answers "ok" for load balancers
// and service managers.
func (i *Issuer) Handler(tokenHash [32]byte) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/passes", func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(tok))
		if tok == "" || subtle.ConstantTimeCompare(got[:], tokenHash[:]) != 1 {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "unauthorized", "message": "check-in token required"})
			return
		}
		var req PassRequest
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"code": "body_too_large", "message": "body over the limit"})
			return
		}
		if err := jsonscan.Decode(body, &req, jsonscan.Options{}); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"code": "malformed_json", "message": "body is not a pass request: " + err.Error()})
			return
		}
		bcbp, err := i.Issue(req)
		switch {
		case errors.Is(err, ErrInvalidRequest):
			writeJSON(w, http.StatusBadRequest, map[string]string{"code": "invalid_request", "message": err.Error()})
		case err != nil:
			writeJSON(w, http.StatusInternalServerError, map[string]string{"code": "internal", "message": "signing failed"})
		default:
			writeJSON(w, http.StatusCreated, map[string]string{"bcbp": bcbp})
		}
	})
	mux.HandleFunc("GET /openapi.json", api.Handler(api.Airline))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
