package issuerhttp

import (
	"context"
	"encoding/json"
	"github.com/idgate/idgate/issuer"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/passkey"
	"github.com/idgate/idgate/issuer/passkey/passkeytest"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/memory"
)

// newPasskeyFixture is an issuer on 127.0.0.1 whose public URL is http://localhost:PORT,
// the origin a browser would use (127.0.0.1 is not a valid RP ID). store nil: memory.
func newPasskeyFixture(t *testing.T, store storage.Storage, host string) *fixture {
	f, _ := newPasskeyFixtureOn(t, store, nil, host)
	return f
}

// newPasskeyFixtureOn is newPasskeyFixture with a passkey store (nil: memory). restart
// replaces the running issuer by a new Service at the same public URL over the given stores,
// as a process restart would.
func newPasskeyFixtureOn(t *testing.T, store storage.Storage, passkeys passkey.Store, host string) (f *fixture, restart func(storage.Storage, passkey.Store)) {
	t.Helper()
	f = &fixture{t: t, now: time.Now().Truncate(time.Second)}
	var current atomic.Pointer[http.Handler]
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*current.Load()).ServeHTTP(w, r)
	}))
	_, port, _ := strings.Cut(f.srv.Listener.Addr().String(), ":")
	f.url = "http://" + host + ":" + port
	f.ca = certstest.NewCA(t)
	restart = func(store storage.Storage, passkeys passkey.Store) {
		t.Helper()
		svc, err := issuer.New(issuer.Config{
			Store: store, Passkeys: passkeys, PublicURL: f.url,
			Signers: map[credential.Type]certs.Signer{
				credential.EmployeeID:     f.ca.Issue(t, "idgate Employee ID Issuer", certstest.WithURI(f.url)),
				credential.DrivingLicence: f.ca.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(f.url)),
			},
			StatusSigner: f.ca.Issue(t, "idgate Status List Signer", certstest.WithURI(f.url)),
			Now:          func() time.Time { return f.now },
		})
		if err != nil {
			t.Fatal(err)
		}
		f.svc, f.store = svc, store
		h := Handler(svc, Config{})
		current.Store(&h)
	}
	if store == nil {
		store = memory.New()
	}
	restart(store, passkeys)
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	var err error
	if f.token, err = f.svc.NewOperatorToken(context.Background(), "test-operator"); err != nil {
		t.Fatal(err)
	}
	return f, restart
}

func (f *fixture) enrol() string {
	f.t.Helper()
	st, h := f.operator("POST", "/v1/holders", `{"credential_types":["employee-id","mdl"],"attributes":`+mdlAttrs+`}`)
	if st != http.StatusCreated {
		f.t.Fatalf("enrol: %d %v", st, h)
	}
	return h["id"].(string)
}

// invite asks for a registration link and returns its token.
func (f *fixture) invite(holderID, types string) string {
	f.t.Helper()
	st, inv := f.operator("POST", "/v1/holders/"+holderID+"/passkey-invitations", `{"credential_types":`+types+`}`)
	if st != http.StatusCreated {
		f.t.Fatalf("invite: %d %v", st, inv)
	}
	u, err := url.Parse(inv["url"].(string))
	if err != nil || u.Scheme+"://"+u.Host != f.url || u.Path != "/passkey/register" {
		f.t.Fatalf("invitation url %v: %v", inv["url"], err)
	}
	return u.Query().Get("invite")
}

// ceremony runs begin (with beginBody) then finish with the authenticator's answer.
func (f *fixture) ceremony(kind, beginBody string, answer func(json.RawMessage) (json.RawMessage, error)) (int, map[string]any) {
	f.t.Helper()
	st, b := f.call("POST", "/passkey/"+kind+"/begin", "", "application/json", beginBody)
	if st != http.StatusOK {
		return st, b
	}
	opts, _ := json.Marshal(b["publicKey"])
	cred, err := answer(opts)
	if err != nil {
		f.t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"session": b["session"], "credential": cred})
	return f.call("POST", "/passkey/"+kind+"/finish", "", "application/json", string(body))
}

func (f *fixture) registerPasskey(token string) *passkeytest.Authenticator {
	f.t.Helper()
	a := passkeytest.New(f.url)
	if st, r := f.ceremony("register", `{"invite":"`+token+`"}`, a.Create); st != http.StatusOK || r["registered"] != true {
		f.t.Fatalf("register: %d %v", st, r)
	}
	return a
}

func (f *fixture) collect(a *passkeytest.Authenticator) (int, map[string]any) {
	return f.ceremony("login", `{}`, a.Get)
}

// offerCode pulls the pre-authorised code out of an offer URI.
func offerCode(t *testing.T, uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	var o offerJSON
	if err := json.Unmarshal([]byte(u.Query().Get("credential_offer")), &o); err != nil {
		t.Fatal(err)
	}
	return o.Grants[preAuthGrant].(map[string]any)["pre-authorized_code"].(string)
}

func offersOf(t *testing.T, r map[string]any) []map[string]any {
	list, ok := r["offers"].([]any)
	if !ok {
		t.Fatalf("no offers in %v", r)
	}
	out := make([]map[string]any, len(list))
	for i, o := range list {
		out[i] = o.(map[string]any)
	}
	return out
}

func TestPasskeyCollectOffers(t *testing.T) {
	for name, open := range passkeyBackends() {
		t.Run(name, func(t *testing.T) {
			store, passkeys := open(t)
			f, _ := newPasskeyFixtureOn(t, store, passkeys, "localhost")
			holderID := f.enrol()
			a := f.registerPasskey(f.invite(holderID, `["mdl","employee-id"]`))

			st, r := f.collect(a)
			offers := offersOf(t, r)
			if st != http.StatusOK || len(offers) != 2 {
				t.Fatalf("collect: %d %v", st, r)
			}
			// Collect the mdl credential with a wallet: it is no longer offered afterwards.
			var mdlURI string
			for _, o := range offers {
				if o["credential_type"] == "mdl" {
					mdlURI = o["offer_uri"].(string)
				}
			}
			st, tok := f.redeem(offerCode(t, mdlURI))
			if st != http.StatusOK {
				t.Fatalf("token: %d %v", st, tok)
			}
			h := newHolder(t)
			p := h.proof(t, f.url, tok["c_nonce"].(string), f.now, nil)
			if st, resp := f.call("POST", "/credential", tok["access_token"].(string), "application/json", credentialBody("mdl", p)); st != http.StatusOK {
				t.Fatalf("credential: %d %v", st, resp)
			}
			f.now = f.now.Add(31 * time.Second) // past the token repeat window
			if st, _ := f.redeem(offerCode(t, mdlURI)); st != http.StatusBadRequest {
				t.Fatalf("offer reused: %d", st)
			}
			st, r = f.collect(a)
			offers = offersOf(t, r)
			if st != http.StatusOK || len(offers) != 1 || offers[0]["credential_type"] != "employee-id" {
				t.Fatalf("second collect: %d %v", st, r)
			}
		})
	}
}

func TestPasskeyRejections(t *testing.T) {
	tests := []struct {
		name   string
		breakA func(a *passkeytest.Authenticator)
		status int
		code   string
	}{
		{"counter goes backwards", func(a *passkeytest.Authenticator) { a.Counter = 0 }, http.StatusForbidden, "authenticator_cloned"},
		{"user verification missing", func(a *passkeytest.Authenticator) { a.NoUV = true }, http.StatusUnauthorized, "verification_failed"},
		{"wrong origin", func(a *passkeytest.Authenticator) { a.Origin = "http://localhost:1" }, http.StatusUnauthorized, "verification_failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newPasskeyFixture(t, nil, "localhost")
			a := f.registerPasskey(f.invite(f.enrol(), `["mdl"]`))
			if st, r := f.collect(a); st != http.StatusOK {
				t.Fatalf("first login: %d %v", st, r)
			}
			tc.breakA(a)
			st, r := f.collect(a)
			if st != tc.status || r["code"] != tc.code || r["offers"] != nil {
				t.Fatalf("got %d %v, want %d %s", st, r, tc.status, tc.code)
			}
			if tc.code == "authenticator_cloned" {
				_, ev := f.operator("GET", "/v1/audit", "")
				if !strings.Contains(toJSON(ev), "passkey.clone_detected") {
					t.Fatalf("clone not audited: %v", ev)
				}
			}
		})
	}
}

func TestPasskeyInvitations(t *testing.T) {
	f := newPasskeyFixture(t, nil, "localhost")
	holderID := f.enrol()

	token := f.invite(holderID, `["mdl"]`)
	f.registerPasskey(token)
	a := passkeytest.New(f.url)
	if st, r := f.ceremony("register", `{"invite":"`+token+`"}`, a.Create); st != http.StatusGone || r["code"] != "invite_used" {
		t.Fatalf("used invite: %d %v", st, r)
	}
	expired := f.invite(holderID, `["mdl"]`)
	f.now = f.now.Add(25 * time.Hour)
	if st, r := f.ceremony("register", `{"invite":"`+expired+`"}`, a.Create); st != http.StatusGone || r["code"] != "invite_expired" {
		t.Fatalf("expired invite: %d %v", st, r)
	}
	if st, r := f.ceremony("register", `{"invite":"forged"}`, a.Create); st != http.StatusNotFound || r["code"] != "invalid_invite" {
		t.Fatalf("forged invite: %d %v", st, r)
	}
	for _, tc := range []struct {
		path, bearer, body string
		status             int
	}{
		{"/v1/holders/" + holderID + "/passkey-invitations", "", `{"credential_types":["mdl"]}`, http.StatusUnauthorized},
		{"/v1/holders/nobody/passkey-invitations", f.token, `{"credential_types":["mdl"]}`, http.StatusNotFound},
		{"/v1/holders/" + holderID + "/passkey-invitations", f.token, `{"credential_types":[]}`, http.StatusBadRequest},
		{"/v1/holders/" + holderID + "/passkey-invitations", f.token, `{"credential_types":["passport"]}`, http.StatusBadRequest},
	} {
		if st, r := f.call("POST", tc.path, tc.bearer, "application/json", tc.body); st != tc.status {
			t.Errorf("%s %s: %d %v", tc.path, tc.body, st, r)
		}
	}
}

func TestPasskeyHoldersSeparated(t *testing.T) {
	f := newPasskeyFixture(t, nil, "localhost")
	alice, bob := f.enrol(), f.enrol()
	f.registerPasskey(f.invite(alice, `["mdl"]`))
	b := f.registerPasskey(f.invite(bob, `["employee-id"]`))
	st, r := f.collect(b)
	offers := offersOf(t, r)
	if st != http.StatusOK || len(offers) != 1 {
		t.Fatalf("bob: %d %v", st, r)
	}
	o, err := f.store.GetOfferByCodeHash(context.Background(), hashSecret(offerCode(t, offers[0]["offer_uri"].(string))))
	if err != nil || o.HolderID != bob || o.CredentialType != "employee-id" {
		t.Fatalf("bob got an offer of %q for %q: %v", o.HolderID, o.CredentialType, err)
	}
	// A passkey registered at another issuer is unknown here.
	other := newPasskeyFixture(t, nil, "localhost")
	stranger := other.registerPasskey(other.invite(other.enrol(), `["mdl"]`))
	stranger.Origin = f.url
	if st, r := f.collect(stranger); st != http.StatusUnauthorized || r["code"] != "unknown_passkey" {
		t.Fatalf("stranger: %d %v", st, r)
	}
}

func TestPasskeyPagesAndUnavailable(t *testing.T) {
	f := newPasskeyFixture(t, nil, "localhost")
	for _, p := range []string{"/passkey/register?invite=x", "/passkey/offers", "/passkey/passkey.js", "/passkey/passkey.css"} {
		resp, err := http.Get(f.url + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s: %d %v", p, resp.StatusCode, resp.Header)
		}
	}
	if st, r := f.call("POST", "/passkey/login/finish", "", "application/json", `{"session":"x","credential":{}}`); st != http.StatusBadRequest || r["code"] != "invalid_request" {
		t.Errorf("malformed finish: %d %v", st, r)
	}
	if st, r := f.call("POST", "/passkey/login/finish", "", "application/json", strings.Repeat("x", MaxBodyBytes+1)); st != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized finish: %d %v", st, r)
	}
	ip := newPasskeyFixture(t, nil, "127.0.0.1")
	if st, r := ip.call("POST", "/passkey/login/begin", "", "application/json", `{}`); st != http.StatusServiceUnavailable || r["code"] != "passkeys_unavailable" {
		t.Errorf("IP public URL: %d %v", st, r)
	}
}
