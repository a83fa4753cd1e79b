package issuerhttp

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
	"github.com/idgate/idgate/internal/jsonscan"
	"github.com/idgate/idgate/internal/ratelimit"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/storage"
)

// MaxBodyBytes bounds every request body but enrolment's; MaxEnrolBytes bounds enrolment,
// which may carry a portrait photo.
const (
	MaxBodyBytes  = 64 << 10
	MaxEnrolBytes = 8 << 20
)

// Config is the HTTP API's own configuration. The zero Config limits nothing.
type Config struct {
	// RateLimit limits the anonymous wallet routes per client address; nil: no limit.
	RateLimit *ratelimit.Limiter
	// TrustedProxies are the reverse proxies in front of the issuer whose X-Forwarded-For
	// names the client (ratelimit.Proxies.ClientKey); without them every request is keyed by
	// its TCP peer, which behind a proxy is the proxy for everyone.
	TrustedProxies ratelimit.Proxies
}

// server holds the Service the handlers call and the API's Config.
type server struct {
	svc *issuer.Service
	cfg Config
}

// Handler returns the issuer's HTTP API over svc: the wallet-facing OpenID4VCI endpoints, the
// status lists, and the token-authenticated operator API under /v1/.
func Handler(svc *issuer.Service, cfg Config) http.Handler {
	s := &server{svc: svc, cfg: cfg}
	mux := http.NewServeMux()
	limit := s.rateLimit() // anonymous wallet routes only: ratelimit.go
	// Wallet side (public).
	mux.HandleFunc("GET /.well-known/openid-credential-issuer", s.getJSON(func() (any, error) { return svc.CredentialIssuerMetadata(), nil }))
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.getJSON(func() (any, error) { return svc.AuthorizationServerMetadata(), nil }))
	mux.HandleFunc("GET /.well-known/jwt-vc-issuer", s.getJSON(func() (any, error) { return svc.JWTVCIssuerMetadata() }))
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
	s.mountPasskeys(mux, limit) // holders' passkeys: passkey.go
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

func (s *server) operator(h operatorHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, err := s.svc.Authenticate(r.Context(), bearer(r))
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

func (s *server) getJSON(f func() (any, error)) http.HandlerFunc {
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

// readBody reads the whole body; one over the route's limit is an invalid_request that
// renders as 413 (statusOf).
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &issuer.Error{Code: issuer.CodeInvalidRequest, Msg: "request body over " + strconv.FormatInt(tooBig.Limit, 10) + " bytes", Err: err}
	} else if err != nil {
		return nil, &issuer.Error{Code: issuer.CodeInvalidRequest, Msg: "reading body", Err: err}
	}
	return b, nil
}

// decode reads exactly one JSON object from the body into v, strictly (jsonscan.Decode).
func decode(r *http.Request, v any) error { return decodeWith(r, v, jsonscan.Options{}) }

func decodeWith(r *http.Request, v any, opt jsonscan.Options) error {
	body, err := readBody(r)
	if err != nil {
		if !errors.As(err, new(*http.MaxBytesError)) {
			err = &issuer.Error{Code: issuer.CodeInvalidRequest, Msg: "unreadable body"}
		}
		return err
	}
	if err := jsonscan.Decode(body, v, opt); err != nil {
		return &issuer.Error{Code: issuer.CodeInvalidRequest, Msg: "malformed JSON body: " + err.Error()}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeError(w, &issuer.Error{Code: issuer.CodeInvalidRequest, Msg: "malformed form body"})
		return
	}
	resp, err := s.svc.Token(r.Context(), r.PostForm.Get("grant_type"), r.PostForm.Get("pre-authorized_code"))
	if err != nil {
		s.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *server) handleNonce(w http.ResponseWriter, _ *http.Request) {
	n, ttl := s.svc.Nonce()
	writeJSON(w, http.StatusOK, map[string]any{"c_nonce": n, "c_nonce_expires_in": ttl})
}

func (s *server) handleCredential(w http.ResponseWriter, r *http.Request) {
	var req issuer.CredentialRequest
	// OpenID4VCI 1.0 §8.2: the issuer ignores request parameters it does not understand.
	if err := decodeWith(r, &req, jsonscan.Options{IgnoreUnknown: true}); err != nil {
		if e := issuer.AsError(err); e.Code == issuer.CodeInvalidRequest {
			err = &issuer.Error{Code: issuer.CodeInvalidCredentialRequest, Msg: e.Msg, Err: e.Err}
		}
		s.writeError(w, err)
		return
	}
	iss, err := s.svc.Credential(r.Context(), bearer(r), req)
	if err != nil {
		s.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"credentials": []map[string]string{{"credential": iss.Credential}}})
	// Delivered once the whole answer went to the connection: the strongest evidence HTTP
	// gives. An answer lost after this point can still be fetched again with the token.
	if http.NewResponseController(w).Flush() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if err := s.svc.Delivered(ctx, iss.ID); err != nil {
		s.svc.Logger().Error("marking a credential delivered failed; it is revoked when its token expires", "credential", iss.ID, "err", err)
	}
}

func (s *server) handleStatusList(w http.ResponseWriter, r *http.Request) {
	tok, err := s.svc.StatusListToken(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/statuslist+jwt")
	w.Header().Set("Cache-Control", "max-age="+strconv.Itoa(int(s.svc.StatusTTL().Seconds())))
	_, _ = io.WriteString(w, tok)
}

func (s *server) handleEnrol(_ http.ResponseWriter, r *http.Request, actor string) (any, int, error) {
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
	h, err := s.svc.Enrol(r.Context(), actor, req.CredentialTypes, req.Attributes, req.Portrait)
	if err != nil {
		return nil, 0, err
	}
	_, face := h.Attributes[credential.FaceTemplateClaim]
	return map[string]any{"id": h.ID, "created_at": h.CreatedAt, "face_template": face}, http.StatusCreated, nil
}

func (s *server) handleGetHolder(_ http.ResponseWriter, r *http.Request, _ string) (any, int, error) {
	h, err := s.svc.Holder(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, 0, err
	}
	return map[string]any{"id": h.ID, "created_at": h.CreatedAt, "attributes": h.Attributes}, http.StatusOK, nil
}

func (s *server) handleCreateOffer(_ http.ResponseWriter, r *http.Request, actor string) (any, int, error) {
	var req struct {
		HolderID       string          `json:"holder_id"`
		CredentialType credential.Type `json:"credential_type"`
	}
	if err := decode(r, &req); err != nil {
		return nil, 0, err
	}
	o, err := s.svc.CreateOffer(r.Context(), actor, req.HolderID, req.CredentialType)
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
		ID: c.ID, HolderID: c.HolderID, VCT: c.VCT, Status: issuer.StatusName(c.Status), StatusList: c.StatusListID,
		StatusIndex: c.StatusIndex, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt,
	}
}

func (s *server) handleListCredentials(_ http.ResponseWriter, r *http.Request, _ string) (any, int, error) {
	q := r.URL.Query()
	f := storage.CredentialFilter{HolderID: q.Get("holder_id"), AfterID: q.Get("after"), Limit: 100}
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 && l <= 1000 {
		f.Limit = l
	}
	cs, err := s.svc.Credentials(r.Context(), f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]credentialView, len(cs))
	for i, c := range cs {
		out[i] = view(c)
	}
	return map[string]any{"credentials": out}, http.StatusOK, nil
}

func (s *server) handleSetStatus(_ http.ResponseWriter, r *http.Request, actor string) (any, int, error) {
	c, err := s.svc.SetStatus(r.Context(), actor, r.PathValue("id"), r.PathValue("action"))
	if err != nil {
		return nil, 0, err
	}
	return view(c), http.StatusOK, nil
}

func (s *server) handleAudit(_ http.ResponseWriter, r *http.Request, _ string) (any, int, error) {
	var after int64
	if q := r.URL.Query().Get("after"); q != "" {
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n < 0 {
			return nil, 0, &issuer.Error{Code: issuer.CodeInvalidRequest, Msg: "after: a sequence number >= 0"}
		}
		after = n
	}
	ev, err := s.svc.AuditEvents(r.Context(), after, 500)
	if err != nil {
		return nil, 0, err
	}
	out := make([]auditEventJSON, len(ev))
	for i, e := range ev {
		out[i] = auditEventJSON{Seq: e.Seq, Time: e.Time, Actor: e.Actor, Action: e.Action, Subject: e.Subject, Details: e.Details}
	}
	return map[string]any{"events": out}, http.StatusOK, nil
}

// auditEventJSON is one audit event as the operator API renders it (storage.AuditEvent has no
// wire names of its own).
type auditEventJSON struct {
	Seq     int64             `json:"seq"`
	Time    time.Time         `json:"time"`
	Actor   string            `json:"actor"`
	Action  string            `json:"action"`
	Subject string            `json:"subject"`
	Details map[string]string `json:"details,omitempty"`
}
