package issuer

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/passkey"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/web"
)

// Holders' passkeys (package passkey) on the issuer's HTTP API:
//
//	POST /v1/holders/{id}/passkey-invitations  operator: {credential_types} → {url, expires_at}
//	GET  /passkey/register?invite=…            page: registers a passkey for the invited holder
//	POST /passkey/register/begin|finish        registration ceremony (JSON)
//	GET  /passkey/offers                       page: sign in with the passkey, see offers
//	POST /passkey/login/begin|finish           login ceremony; finish answers the holder's offers
//
// The relying party is derived from PublicURL (see passkey.RelyingParty): with a PublicURL on
// an IP address the passkey routes answer 503 passkeys_unavailable.

// passkeyState is the Service's relying party, built on first use by Handler.
type passkeyState struct {
	once sync.Once
	svc  *passkey.Service
	err  error
}

func (s *Service) passkeys() (*passkey.Service, error) {
	s.pk.once.Do(func() {
		s.pk.svc, s.pk.err = passkey.New(passkey.Config{
			Store: s.cfg.Passkeys, Holders: holderNames{s}, Audit: auditorFunc(s.audit),
			PublicURL: s.cfg.PublicURL, Now: s.cfg.Now,
		})
		if s.pk.err != nil {
			s.cfg.Logger.Warn("passkeys disabled", "reason", s.pk.err.Error())
		}
	})
	return s.pk.svc, s.pk.err
}

// PendingOffer is one credential the holder may still collect, as a fresh offer.
type PendingOffer struct {
	CredentialType credential.Type `json:"credential_type"`
	Offer
}

// PendingOffers makes a fresh single-use, expiring offer for each of types that the holder
// has no unexpired credential of. A suspended or revoked credential counts as held: the
// holder cannot undo an operator's status decision by collecting a fresh credential, so
// re-issue after suspension or revocation goes through an operator. Unknown types are skipped.
func (s *Service) PendingOffers(ctx context.Context, actor, holderID string, types []credential.Type) ([]PendingOffer, error) {
	held := map[string]bool{}
	now := s.cfg.Now()
	f := storage.CredentialFilter{HolderID: holderID, Limit: 1000}
	for {
		cs, err := s.cfg.Store.ListCredentials(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if now.Before(c.ExpiresAt) {
				held[c.VCT] = true
			}
		}
		if len(cs) < f.Limit {
			break
		}
		f.AfterID = cs[len(cs)-1].ID
	}
	out := []PendingOffer{}
	for _, t := range types {
		spec, ok := credential.Lookup(t)
		if _, signed := s.cfg.Signers[t]; !ok || !signed || held[spec.VCT] {
			continue
		}
		o, err := s.CreateOffer(ctx, actor, holderID, t)
		if err != nil {
			return nil, err
		}
		out = append(out, PendingOffer{CredentialType: t, Offer: o})
	}
	return out, nil
}

type holderNames struct{ s *Service }

// HolderName is what the authenticator shows in its account picker.
func (h holderNames) HolderName(ctx context.Context, id string) (string, error) {
	hd, err := h.s.cfg.Store.GetHolder(ctx, id)
	if err != nil {
		return "", err
	}
	given, _ := hd.Attributes["given_name"].(string)
	family, _ := hd.Attributes["family_name"].(string)
	if name := strings.TrimSpace(given + " " + family); name != "" {
		return name, nil
	}
	return id, nil
}

type auditorFunc func(ctx context.Context, actor, action, subject string, details map[string]string)

func (f auditorFunc) Audit(ctx context.Context, actor, action, subject string, details map[string]string) {
	f(ctx, actor, action, subject, details)
}

// mountPasskeys adds the passkey routes to the issuer's mux.
func (s *Service) mountPasskeys(mux *http.ServeMux, limit rateLimit) {
	mux.HandleFunc("POST /v1/holders/{id}/passkey-invitations", s.operator(s.handlePasskeyInvite))
	mux.HandleFunc("GET /passkey/register", s.page("register.html"))
	mux.HandleFunc("GET /passkey/offers", s.page("offers.html"))
	mux.HandleFunc("GET /passkey/passkey.js", s.page("passkey.js"))
	mux.HandleFunc("GET /passkey/passkey.css", s.page("passkey.css"))
	mux.HandleFunc("POST /passkey/register/begin", limit(s.passkeyJSON(s.handleRegisterBegin)))
	mux.HandleFunc("POST /passkey/register/finish", limit(s.passkeyJSON(s.handleRegisterFinish)))
	mux.HandleFunc("POST /passkey/login/begin", limit(s.passkeyJSON(s.handleLoginBegin)))
	mux.HandleFunc("POST /passkey/login/finish", limit(s.passkeyJSON(s.handleLoginFinish)))
}

// page serves an embedded file with headers that keep the invitation token in the URL
// from leaking (no referrer, no caching) and allow only same-origin scripts.
func (s *Service) page(name string) http.HandlerFunc {
	types := map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	return func(w http.ResponseWriter, _ *http.Request) {
		if _, err := s.passkeys(); err != nil {
			s.writeError(w, passkeyError(err))
			return
		}
		b, err := fs.ReadFile(web.Files(), name)
		if err != nil {
			s.writeError(w, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", types[name[strings.LastIndexByte(name, '.'):]])
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
		_, _ = w.Write(b)
	}
}

type passkeyHandler func(r *http.Request, pk *passkey.Service) (any, error)

func (s *Service) passkeyJSON(h passkeyHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pk, err := s.passkeys()
		if err != nil {
			s.writeError(w, passkeyError(err))
			return
		}
		v, err := h(r, pk)
		if err != nil {
			s.writeError(w, passkeyError(err))
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

func (s *Service) handlePasskeyInvite(_ http.ResponseWriter, r *http.Request, actor string) (any, int, error) {
	var req struct {
		CredentialTypes []credential.Type `json:"credential_types"`
	}
	if err := decode(r, &req); err != nil {
		return nil, 0, err
	}
	if len(req.CredentialTypes) == 0 {
		return nil, 0, errf(CodeInvalidRequest, http.StatusBadRequest, "credential_types is required")
	}
	types := make([]string, len(req.CredentialTypes))
	for i, t := range req.CredentialTypes {
		if _, ok := s.cfg.Signers[t]; !ok {
			return nil, 0, errf(CodeUnknownConfiguration, http.StatusBadRequest, "credential type %q is not issued here", t)
		}
		types[i] = string(t)
	}
	h, err := s.cfg.Store.GetHolder(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, 0, err
	}
	pk, err := s.passkeys()
	if err != nil {
		return nil, 0, passkeyError(err)
	}
	inv, err := pk.Invite(r.Context(), actor, h.ID, types)
	if err != nil {
		return nil, 0, passkeyError(err)
	}
	return inv, http.StatusCreated, nil
}

func (s *Service) handleRegisterBegin(r *http.Request, pk *passkey.Service) (any, error) {
	var req struct {
		Invite string `json:"invite"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	return pk.BeginRegistration(r.Context(), req.Invite)
}

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errf(CodeInvalidRequest, http.StatusRequestEntityTooLarge, "request body over %d bytes", tooBig.Limit)
	} else if err != nil {
		return nil, errf(CodeInvalidRequest, http.StatusBadRequest, "reading body")
	}
	return b, nil
}

func (s *Service) handleRegisterFinish(r *http.Request, pk *passkey.Service) (any, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if _, err := pk.FinishRegistration(r.Context(), body); err != nil {
		return nil, err
	}
	return map[string]any{"registered": true}, nil
}

func (s *Service) handleLoginBegin(r *http.Request, pk *passkey.Service) (any, error) {
	return pk.BeginLogin(r.Context())
}

func (s *Service) handleLoginFinish(r *http.Request, pk *passkey.Service) (any, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	login, err := pk.FinishLogin(r.Context(), body)
	if err != nil {
		return nil, err
	}
	types := make([]credential.Type, len(login.CredentialTypes))
	for i, t := range login.CredentialTypes {
		types[i] = credential.Type(t)
	}
	offers, err := s.PendingOffers(r.Context(), "holder:"+login.HolderID, login.HolderID, types)
	if err != nil {
		return nil, err
	}
	return map[string]any{"offers": offers, "checked_at": s.cfg.Now().UTC().Format(time.RFC3339)}, nil
}

// passkeyError maps passkey failures to the issuer's error shape; others pass through.
func passkeyError(err error) error {
	var pe *passkey.Error
	if !errors.As(err, &pe) {
		if errors.Is(err, passkey.ErrNotFound) {
			return &Error{Code: CodeNotFound, Status: http.StatusNotFound, Msg: "not found", Err: err}
		}
		return err
	}
	status := map[string]int{
		passkey.CodeInvalidRequest:  http.StatusBadRequest,
		passkey.CodeInvalidInvite:   http.StatusNotFound,
		passkey.CodeInviteExpired:   http.StatusGone,
		passkey.CodeInviteUsed:      http.StatusGone,
		passkey.CodeInvalidSession:  http.StatusBadRequest,
		passkey.CodeVerification:    http.StatusUnauthorized,
		passkey.CodeUnknownPasskey:  http.StatusUnauthorized,
		passkey.CodeCloneDetected:   http.StatusForbidden,
		passkey.CodeUnavailable:     http.StatusServiceUnavailable,
		passkey.CodeTooManySessions: http.StatusServiceUnavailable,
		passkey.CodePasskeyBusy:     http.StatusTooManyRequests,
	}[pe.Code]
	if status == 0 {
		status = http.StatusBadRequest
	}
	return &Error{Code: pe.Code, Status: status, Msg: pe.Msg, Err: err}
}
