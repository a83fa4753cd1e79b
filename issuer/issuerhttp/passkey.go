package issuerhttp

import (
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/passkey"
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

// mountPasskeys adds the passkey routes to the issuer's mux.
func (s *server) mountPasskeys(mux *http.ServeMux, limit rateLimit) {
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
func (s *server) page(name string) http.HandlerFunc {
	types := map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	return func(w http.ResponseWriter, _ *http.Request) {
		if _, err := s.svc.Passkeys(); err != nil {
			s.writeError(w, err)
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

func (s *server) passkeyJSON(h passkeyHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pk, err := s.svc.Passkeys()
		if err != nil {
			s.writeError(w, err)
			return
		}
		v, err := h(r, pk)
		if err != nil {
			s.writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

func (s *server) handlePasskeyInvite(_ http.ResponseWriter, r *http.Request, actor string) (any, int, error) {
	var req struct {
		CredentialTypes []credential.Type `json:"credential_types"`
	}
	if err := decode(r, &req); err != nil {
		return nil, 0, err
	}
	inv, err := s.svc.InvitePasskey(r.Context(), actor, r.PathValue("id"), req.CredentialTypes)
	if err != nil {
		return nil, 0, err
	}
	return inv, http.StatusCreated, nil
}

func (s *server) handleRegisterBegin(r *http.Request, pk *passkey.Service) (any, error) {
	var req struct {
		Invite string `json:"invite"`
	}
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	return pk.BeginRegistration(r.Context(), req.Invite)
}

func (s *server) handleRegisterFinish(r *http.Request, pk *passkey.Service) (any, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if _, err := pk.FinishRegistration(r.Context(), body); err != nil {
		return nil, err
	}
	return map[string]any{"registered": true}, nil
}

func (s *server) handleLoginBegin(r *http.Request, pk *passkey.Service) (any, error) {
	return pk.BeginLogin(r.Context())
}

func (s *server) handleLoginFinish(r *http.Request, pk *passkey.Service) (any, error) {
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
	offers, err := s.svc.PendingOffers(r.Context(), "holder:"+login.HolderID, login.HolderID, types)
	if err != nil {
		return nil, err
	}
	return map[string]any{"offers": offers, "checked_at": s.svc.Now().UTC().Format(time.RFC3339)}, nil
}
