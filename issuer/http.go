package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/idgate/idgate/api"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"

	"github.com/idgate/idgate/internal/jsonscan"
)

// MaxBodyBytes bounds every request body but enrolment's; MaxEnrolBytes bounds enrolment,
// which may carry a portrait photo.
const (
	MaxBodyBytes  = 64 << 10
	MaxEnrolBytes = 8 << 20
)

// Handler returns the issuer's HTTP API: the wallet-facing OpenID4VCI endpoints, the status
// lists, and the token-authenticated operator API under /v1/.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	limit := s.rateLimit() // anonymous wallet routes only: ratelimit_http.go
	// Wallet side (public).
	mux.HandleFunc("GET /.well-known/openid-credential-issuer", s.getJSON(func() (any, error) { return s.CredentialIssuerMetadata(), nil }))
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.getJSON(func() (any, error) { return s.AuthorizationServerMetadata(), nil }))
	mux.HandleFunc("GET /.well-known/jwt-vc-issuer", s.getJSON(func() (any, error) { return s.JWTVCIssuerMetadata() }))
	mux.HandleFunc("POST /token", limit(s.handleToken))
	mux.HandleFunc("POST /nonce", limit(s.handleNonce))
	mux.HandleFunc("POST /credential", limit(s.handleCredential))
	mux.HandleFunc("GET /status/{id}", s.handleStatusList)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /openapi.json", api.Handler(api.Issuer))
	// Operator side.
	mux.Handle("POST /v1/holders", http.MaxBytesHandler(s.operator(s.handleEnrol), MaxEnrolBytes))
	mux.HandleFunc("GET /v1/holders/{id}", s.operator(s.handleGetHolder))
	mux.HandleFunc("POST /v1/offers", s.operator(s.handleCreateOffer))
	mux.HandleFunc("GET /v1/credentials", s.operator(s.handleListCredentials))
	mux.HandleFunc("POST /v1/credentials/{id}/{action}", s.operator(s.handleSetStatus))
	mux.HandleFunc("GET /v1/audit", s.operator(s.handleAudit))
	s.mountPasskeys(mux, limit) // holders' passkeys: passkey_http.go
	return limitBodies(mux)
}

// limitBodies applies MaxBodyBytes to every route except enrolment, which has its own limit.
func limitBodies(mux *http.ServeMux) http.Handler {
	small := http.MaxBytesHandler(mux, MaxBodyBytes)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/holders" && r.Method == http.MethodPost {
			mux.ServeHTTP(w, r)
			return
		}
		small.ServeHTTP(w, r)
	})
}

type operatorHandler func(w http.ResponseWriter, r *http.Request, actor string) (any, int, error)

func (s *Service) operator(h operatorHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, err := s.Authenticate(r.Context(), bearer(r))
		if err != nil {
			s.writeError(w, err)
			return
		}
		v, status, err := h(w, r, actor)
		if err != nil {
			s.writeError(w, err)
			return
		}
		writeJSON(w, status, v)
	}
}

func (s *Service) getJSON(f func() (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		v, err := f()
		if err != nil {
			s.writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// decode reads exactly one JSON object from the body into v, strictly (jsonscan.Decode).
func decode(r *http.Request, v any) error { return decodeWith(r, v, jsonscan.Options{}) }

func decodeWith(r *http.Request, v any, opt jsonscan.Options) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errf(CodeInvalidRequest, http.StatusRequestEntityTooLarge, "request body over %d bytes", tooBig.Limit)
		}
		return errf(CodeInvalidRequest, http.StatusBadRequest, "unreadable body")
	}
	if err := jsonscan.Decode(body, v, opt); err != nil {
		return errf(CodeInvalidRequest, http.StatusBadRequest, "malformed JSON body: %s", err.Error())
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError is the single error rendering: OAuth-style {error, error_description} plus
// {code, message} for operator clients. Internal details stay in the log.
func (s *Service) writeError(w http.ResponseWriter, err error) {
	e := asError(err)
	if e.Status >= 500 {
		s.cfg.Logger.Error("request failed", "code", e.Code, "err", err)
	}
	body := map[string]any{"error": e.Code, "error_description": oauthDescription(e.Msg), "code": e.Code, "message": e.Msg}
	if e.Code == CodeInvalidNonce {
		nonce, ttl := s.Nonce()
		body["c_nonce"], body["c_nonce_expires_in"] = nonce, ttl
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="`+e.Code+`"`)
	}
	writeJSON(w, e.Status, body)
}

func (s *Service) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeError(w, errf(CodeInvalidRequest, http.StatusBadRequest, "malformed form body"))
		return
	}
	resp, err := s.Token(r.Context(), r.PostForm.Get("grant_type"), r.PostForm.Get("pre-authorized_code"))
	if err != nil {
		s.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Service) handleNonce(w http.ResponseWriter, _ *http.Request) {
	n, ttl := s.Nonce()
	writeJSON(w, http.StatusOK, map[string]any{"c_nonce": n, "c_nonce_expires_in": ttl})
}

func (s *Service) handleCredential(w http.ResponseWriter, r *http.Request) {
	var req CredentialRequest
	// OpenID4VCI 1.0 §8.2: the issuer ignores request parameters it does not understand.
	if err := decodeWith(r, &req, jsonscan.Options{IgnoreUnknown: true}); err != nil {
		if e := asError(err); e.Code == CodeInvalidRequest {
			err = &Error{Code: CodeInvalidCredentialRequest, Status: e.Status, Msg: e.Msg, Err: e.Err}
		}
		s.writeError(w, err)
		return
	}
	iss, err := s.Credential(r.Context(), bearer(r), req)
	if err != nil {
		s.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"credentials": []map[string]string{{"credential": iss.SDJWT}}})
	// Delivered once the whole answer went to the connection: the strongest evidence HTTP
	// gives. An answer lost after this point can still be fetched again with the token.
	if http.NewResponseController(w).Flush() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if err := s.Delivered(ctx, iss.ID); err != nil {
		s.cfg.Logger.Error("marking a credential delivered failed; it is revoked when its token expires", "credential", iss.ID, "err", err)
	}
}

func (s *Service) handleStatusList(w http.ResponseWriter, r *http.Request) {
	tok, err := s.StatusListToken(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/statuslist+jwt")
	w.Header().Set("Cache-Control", "max-age="+strconv.Itoa(int(s.cfg.StatusTTL.Seconds())))
	_, _ = io.WriteString(w, tok)
}

func (s *Service) handleEnrol(_ http.ResponseWriter, r *http.Request, actor string) (any, int, error) {
	var req struct {
		CredentialTypes []credential.Type `json:"credential_types"`
		Attributes      map[string]any    `json:"attributes"`
		Portrait        []byte            `json:"portrait,omitempty"` // base64 JPEG or PNG
	}
	if err := decode(r, &req); err != nil {
		return nil, 0, err
	}
	if req.Attributes == nil {
		req.Attributes = map[string]any{}
	}
	h, err := s.Enrol(r.Context(), actor, req.CredentialTypes, req.Attributes, req.Portrait)
	if err != nil {
		return nil, 0, err
	}
	_, face := h.Attributes[credential.FaceTemplateClaim]
	return map[string]any{"id": h.ID, "created_at": h.CreatedAt, "face_template": face}, http.StatusCreated, nil
}

func (s *Service) handleGetHolder(_ http.ResponseWriter, r *http.Request, _ string) (any, int, error) {
	h, err := s.cfg.Store.GetHolder(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, 0, err
	}
	return map[string]any{"id": h.ID, "created_at": h.CreatedAt, "attributes": h.Attributes}, http.StatusOK, nil
}

func (s *Service) handleCreateOffer(_ http.ResponseWriter, r *http.Request, actor string) (any, int, error) {
	var req struct {
		HolderID       string          `json:"holder_id"`
		CredentialType credential.Type `json:"credential_type"`
	}
	if err := decode(r, &req); err != nil {
		return nil, 0, err
	}
	o, err := s.CreateOffer(r.Context(), actor, req.HolderID, req.CredentialType)
	if err != nil {
		return nil, 0, err
	}
	return o, http.StatusCreated, nil
}

type credentialView struct {
	ID          string    `json:"id"`
	HolderID    string    `json:"holder_id"`
	VCT         string    `json:"vct"`
	Status      string    `json:"status"`
	StatusList  string    `json:"status_list"`
	StatusIndex int       `json:"status_idx"`
	IssuedAt    time.Time `json:"issued_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func view(c storage.Credential) credentialView {
	return credentialView{
		ID: c.ID, HolderID: c.HolderID, VCT: c.VCT, Status: StatusName(c.Status), StatusList: c.StatusListID,
		StatusIndex: c.StatusIndex, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt,
	}
}

func (s *Service) handleListCredentials(_ http.ResponseWriter, r *http.Request, _ string) (any, int, error) {
	q := r.URL.Query()
	f := storage.CredentialFilter{HolderID: q.Get("holder_id"), AfterID: q.Get("after"), Limit: 100}
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 && l <= 1000 {
		f.Limit = l
	}
	cs, err := s.cfg.Store.ListCredentials(r.Context(), f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]credentialView, len(cs))
	for i, c := range cs {
		out[i] = view(c)
	}
	return map[string]any{"credentials": out}, http.StatusOK, nil
}

func (s *Service) handleSetStatus(_ http.ResponseWriter, r *http.Request, actor string) (any, int, error) {
	c, err := s.SetStatus(r.Context(), actor, r.PathValue("id"), r.PathValue("action"))
	if err != nil {
		return nil, 0, err
	}
	return view(c), http.StatusOK, nil
}

func (s *Service) handleAudit(_ http.ResponseWriter, r *http.Request, _ string) (any, int, error) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	ev, err := s.cfg.Store.ListAudit(r.Context(), after, 500)
	if err != nil {
		return nil, 0, err
	}
	return map[string]any{"events": ev}, http.StatusOK, nil
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
