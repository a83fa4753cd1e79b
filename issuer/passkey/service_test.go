package passkey_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/passkey"
	"github.com/idgate/idgate/issuer/passkey/passkeytest"
	"github.com/idgate/idgate/issuer/storage"
)

const origin = "http://localhost:8443"

type names struct{}

func (names) HolderName(_ context.Context, id string) (string, error) { return "Holder " + id, nil }

type auditLog struct {
	mu      sync.Mutex
	actions []string
}

func (a *auditLog) Audit(_ context.Context, _, action, _ string, _ map[string]string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.actions = append(a.actions, action)
}

// AppendAudit makes the log the memory store's too: changes' events arrive here.
func (a *auditLog) AppendAudit(ctx context.Context, e storage.AuditEvent) (int64, error) {
	a.Audit(ctx, e.Actor, e.Action, e.Subject, e.Details)
	a.mu.Lock()
	defer a.mu.Unlock()
	return int64(len(a.actions)), nil
}

func (a *auditLog) has(action string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, x := range a.actions {
		if x == action {
			return true
		}
	}
	return false
}

type rig struct {
	svc   *passkey.Service
	now   time.Time
	audit *auditLog
}

func newRig(t testing.TB) *rig {
	r := &rig{now: time.Now(), audit: &auditLog{}}
	svc, err := passkey.New(passkey.Config{
		Store: passkey.NewMemoryStore(r.audit), Holders: names{}, Audit: r.audit, PublicURL: origin,
		Now: func() time.Time { return r.now },
	})
	if err != nil {
		t.Fatal(err)
	}
	r.svc = svc
	return r
}

func finishBody(session string, cred json.RawMessage) []byte {
	b, _ := json.Marshal(map[string]any{"session": session, "credential": cred})
	return b
}

func optionsJSON(t testing.TB, b passkey.Begin) json.RawMessage {
	raw, err := json.Marshal(b.Options)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func inviteToken(t testing.TB, inv passkey.Invitation) string {
	u, err := url.Parse(inv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("invite")
}

// register enrols a fresh software authenticator for holder and returns it.
func (r *rig) register(t testing.TB, holder string) *passkeytest.Authenticator {
	t.Helper()
	ctx := context.Background()
	inv, err := r.svc.Invite(ctx, "op", holder, []string{"mdl"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.svc.BeginRegistration(ctx, inviteToken(t, inv))
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New(origin)
	resp, err := a.Create(optionsJSON(t, b))
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.svc.FinishRegistration(ctx, finishBody(b.Session, resp))
	if err != nil || got != holder {
		t.Fatalf("finish registration: %q %v", got, err)
	}
	return a
}

func (r *rig) login(t *testing.T, a *passkeytest.Authenticator) (passkey.Login, error) {
	t.Helper()
	b, err := r.svc.BeginLogin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Get(optionsJSON(t, b))
	if err != nil {
		t.Fatal(err)
	}
	return r.svc.FinishLogin(context.Background(), finishBody(b.Session, resp))
}

func TestRegisterAndLogin(t *testing.T) {
	r := newRig(t)
	a := r.register(t, "holder-1")
	for i := range 3 {
		l, err := r.login(t, a)
		if err != nil || l.HolderID != "holder-1" || len(l.CredentialTypes) != 1 || l.CredentialTypes[0] != "mdl" {
			t.Fatalf("login %d: %+v %v", i, l, err)
		}
	}
	if !r.audit.has("passkey.register") || !r.audit.has("passkey.login") {
		t.Fatalf("audit: %v", r.audit.actions)
	}
}

func TestLoginRejections(t *testing.T) {
	tests := []struct {
		name   string
		breakA func(a *passkeytest.Authenticator)
		code   string
		is     error
	}{
		{"counter goes backwards (clone)", func(a *passkeytest.Authenticator) { a.Counter = 0 }, passkey.CodeCloneDetected, passkey.ErrCloneDetected},
		{"counter repeats", func(a *passkeytest.Authenticator) { a.Counter-- }, passkey.CodeCloneDetected, passkey.ErrCloneDetected},
		{"no user verification", func(a *passkeytest.Authenticator) { a.NoUV = true }, passkey.CodeVerification, passkey.ErrVerification},
		{"wrong origin", func(a *passkeytest.Authenticator) { a.Origin = "http://localhost:9999" }, passkey.CodeVerification, passkey.ErrVerification},
		{"phishing origin", func(a *passkeytest.Authenticator) { a.Origin = "https://evil.example" }, passkey.CodeVerification, passkey.ErrVerification},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			a := r.register(t, "holder-1")
			if _, err := r.login(t, a); err != nil { // counter now 1
				t.Fatal(err)
			}
			tc.breakA(a)
			_, err := r.login(t, a)
			var pe *passkey.Error
			if !errors.As(err, &pe) || pe.Code != tc.code || !errors.Is(err, tc.is) {
				t.Fatalf("got %v, want code %s", err, tc.code)
			}
			if tc.code == passkey.CodeCloneDetected && !r.audit.has("passkey.clone_detected") {
				t.Fatal("clone not audited")
			}
		})
	}
}

func TestRegistrationRejections(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	inv, err := r.svc.Invite(ctx, "op", "holder-2", []string{"mdl"})
	if err != nil {
		t.Fatal(err)
	}
	tok := inviteToken(t, inv)

	// No user verification at registration.
	b, err := r.svc.BeginRegistration(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New(origin)
	a.NoUV = true
	resp, _ := a.Create(optionsJSON(t, b))
	if _, err := r.svc.FinishRegistration(ctx, finishBody(b.Session, resp)); !errors.Is(err, passkey.ErrVerification) {
		t.Fatalf("no UV: %v", err)
	}
	// A failed verification releases the session token: retrying it verifies again (and fails
	// again) rather than being refused as used; sessions_test.go covers the single-use rules.
	if _, err := r.svc.FinishRegistration(ctx, finishBody(b.Session, resp)); !errors.Is(err, passkey.ErrVerification) {
		t.Fatalf("retry after a failed verification: %v", err)
	}
	// The invite survived the failed attempt; a good one consumes it.
	b, _ = r.svc.BeginRegistration(ctx, tok)
	a = passkeytest.New(origin)
	resp, _ = a.Create(optionsJSON(t, b))
	if _, err := r.svc.FinishRegistration(ctx, finishBody(b.Session, resp)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.BeginRegistration(ctx, tok); !errors.Is(err, passkey.ErrInvalidInvite) {
		t.Fatalf("used invite: %v", err)
	}
	// Expired invite.
	inv, _ = r.svc.Invite(ctx, "op", "holder-3", []string{"mdl"})
	r.now = r.now.Add(25 * time.Hour)
	var pe *passkey.Error
	if _, err := r.svc.BeginRegistration(ctx, inviteToken(t, inv)); !errors.As(err, &pe) || pe.Code != passkey.CodeInviteExpired {
		t.Fatalf("expired invite: %v", err)
	}
	if _, err := r.svc.BeginRegistration(ctx, "bogus"); !errors.As(err, &pe) || pe.Code != passkey.CodeInvalidInvite {
		t.Fatalf("unknown invite: %v", err)
	}
	// Session expiry between begin and finish.
	inv, _ = r.svc.Invite(ctx, "op", "holder-4", []string{"mdl"})
	b, _ = r.svc.BeginRegistration(ctx, inviteToken(t, inv))
	r.now = r.now.Add(6 * time.Minute)
	resp, _ = passkeytest.New(origin).Create(optionsJSON(t, b))
	if _, err := r.svc.FinishRegistration(ctx, finishBody(b.Session, resp)); !errors.Is(err, passkey.ErrInvalidSession) {
		t.Fatalf("expired session: %v", err)
	}
}

func TestUnknownPasskey(t *testing.T) {
	r1, r2 := newRig(t), newRig(t)
	a := r1.register(t, "holder-1")
	if _, err := r2.login(t, a); !errors.Is(err, passkey.ErrUnknownPasskey) {
		t.Fatalf("passkey of another issuer: %v", err)
	}
}

func TestRelyingParty(t *testing.T) {
	tests := []struct {
		url, rpID, origin string
		ok                bool
	}{
		{"http://localhost:8081", "localhost", "http://localhost:8081", true},
		{"https://issuer.example", "issuer.example", "https://issuer.example", true},
		{"https://Issuer.example:8443/base", "Issuer.example", "https://Issuer.example:8443", true},
		{"http://127.0.0.1:8081", "", "", false},
		{"http://[::1]:8081", "", "", false},
		{"http://issuer.example", "", "", false}, // not a secure context
		{"ftp://issuer.example", "", "", false},
		{"localhost:8081", "", "", false},
	}
	for _, tc := range tests {
		rp, o, err := passkey.RelyingParty(tc.url)
		if (err == nil) != tc.ok || rp != tc.rpID || o != tc.origin {
			t.Errorf("%s: %q %q %v", tc.url, rp, o, err)
		}
		if err != nil && !errors.Is(err, passkey.ErrUnavailable) {
			t.Errorf("%s: error not ErrUnavailable: %v", tc.url, err)
		}
	}
}
