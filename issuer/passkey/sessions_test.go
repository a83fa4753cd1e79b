package passkey

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/passkey/passkeytest"
	"github.com/idgate/idgate/issuer/storage/memory"
)

// These tests sit inside the package to assert on the single-use set's size; ceremonies are
// real (go-webauthn verifying passkeytest's ES256 attestations and assertions).

const stOrigin = "http://localhost:8443"

type stHolders struct{}

func (stHolders) HolderName(_ context.Context, id string) (string, error) { return "Holder " + id, nil }

type stRig struct {
	t   testing.TB
	svc *Service
	now time.Time
}

func newSTRig(t testing.TB, mod func(*Config)) *stRig {
	t.Helper()
	r := &stRig{t: t, now: time.Now()}
	cfg := Config{Store: NewMemoryStore(memory.New()), Holders: stHolders{}, PublicURL: stOrigin, Now: func() time.Time { return r.now }}
	if mod != nil {
		mod(&cfg)
	}
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.svc = svc
	return r
}

func stBody(t testing.TB, session string, cred json.RawMessage) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"session": session, "credential": cred})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func stOptions(t testing.TB, b Begin) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(b.Options)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// beginRegister invites holder and begins a registration; it returns the begin answer.
func (r *stRig) beginRegister(holder string) Begin {
	r.t.Helper()
	ctx := context.Background()
	inv, err := r.svc.Invite(ctx, "op", holder, []string{"mdl"})
	if err != nil {
		r.t.Fatal(err)
	}
	u, err := url.Parse(inv.URL)
	if err != nil {
		r.t.Fatal(err)
	}
	b, err := r.svc.BeginRegistration(ctx, u.Query().Get("invite"))
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

// register enrols a fresh software authenticator for holder.
func (r *stRig) register(holder string) *passkeytest.Authenticator {
	r.t.Helper()
	b := r.beginRegister(holder)
	a := passkeytest.New(stOrigin)
	resp, err := a.Create(stOptions(r.t, b))
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.svc.FinishRegistration(context.Background(), stBody(r.t, b.Session, resp)); err != nil {
		r.t.Fatal(err)
	}
	return a
}

// loginBody begins a login and answers it with a; it returns the session token and the body.
func (r *stRig) loginBody(a *passkeytest.Authenticator) (string, []byte) {
	r.t.Helper()
	b, err := r.svc.BeginLogin(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	resp, err := a.Get(stOptions(r.t, b))
	if err != nil {
		r.t.Fatal(err)
	}
	return b.Session, stBody(r.t, b.Session, resp)
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("got %v, want code %s", err, code)
	}
}

func TestAnonymousBeginsLeaveNoState(t *testing.T) {
	// A tiny cap: begins and failed finishes must not count against it at all.
	r := newSTRig(t, func(c *Config) { c.MaxSessions = 2 })
	a := r.register("holder-1")
	if n := r.svc.sessions.used.len(); n != 1 {
		t.Fatalf("after one registration: %d single-use records, want 1", n)
	}
	ctx := context.Background()
	for i := range 10_000 {
		b, err := r.svc.BeginLogin(ctx)
		if err != nil {
			t.Fatalf("begin %d: %v", i, err)
		}
		if i == 0 && (len(b.Session) < 200 || len(b.Session) > MaxSessionTokenBytes || strings.Trim(b.Session, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "") {
			t.Fatalf("token %d chars, not a bounded base64url string", len(b.Session))
		}
	}
	// Garbage finishes that reach verification: an unregistered passkey, a phishing origin.
	stranger := newSTRig(t, nil).register("holder-x")
	for range 50 {
		_, body := r.loginBody(stranger)
		if _, err := r.svc.FinishLogin(ctx, body); !errors.Is(err, ErrUnknownPasskey) {
			t.Fatalf("stranger: %v", err)
		}
	}
	phish := a.Clone()
	phish.Origin = "https://evil.example"
	_, body := r.loginBody(phish)
	if _, err := r.svc.FinishLogin(ctx, body); !errors.Is(err, ErrVerification) {
		t.Fatalf("phishing origin: %v", err)
	}
	if n := r.svc.sessions.used.len(); n != 1 {
		t.Fatalf("after anonymous traffic: %d single-use records, want 1 (the registration)", n)
	}
	a.Counter = phish.Counter // the phishing assertion used a counter value; stay ahead of it
	_, body = r.loginBody(a)
	if l, err := r.svc.FinishLogin(ctx, body); err != nil || l.HolderID != "holder-1" {
		t.Fatalf("real holder: %+v %v", l, err)
	}
}

// TestFinishOutcomes is the single-use decision: a token stays spent once the ceremony
// succeeded (login: once the assertion verified, so clone refusals too); every earlier
// failure releases it, and the same token may then be tried again until it expires.
func TestFinishOutcomes(t *testing.T) {
	tests := []struct {
		name   string
		breakA func(a *passkeytest.Authenticator)
		code   string // "" = success
		kept   bool
	}{
		{"success", func(*passkeytest.Authenticator) {}, "", true},
		{"clone (verified, counter stale)", func(a *passkeytest.Authenticator) { a.Counter = 0 }, CodeCloneDetected, true},
		{"no user verification", func(a *passkeytest.Authenticator) { a.NoUV = true }, CodeVerification, false},
		{"wrong origin", func(a *passkeytest.Authenticator) { a.Origin = "http://localhost:9999" }, CodeVerification, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newSTRig(t, nil)
			a := r.register("holder-1")
			_, body := r.loginBody(a)
			if _, err := r.svc.FinishLogin(context.Background(), body); err != nil { // counter now 1
				t.Fatal(err)
			}
			base := r.svc.sessions.used.len()
			bad := a.Clone()
			tc.breakA(bad)
			tok, body := r.loginBody(bad)
			_, err := r.svc.FinishLogin(context.Background(), body)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				wantCode(t, err, tc.code)
			}
			if got := r.svc.sessions.used.len() - base; got != map[bool]int{true: 1, false: 0}[tc.kept] {
				t.Fatalf("records added: %d, kept=%v", got, tc.kept)
			}
			// The same body again.
			_, err = r.svc.FinishLogin(context.Background(), body)
			if tc.kept {
				wantCode(t, err, CodeInvalidSession)
				if !strings.Contains(err.Error(), "already used") {
					t.Fatalf("replay message: %v", err)
				}
				// Another spelling of the same bytes (the base64 decoder skips CR/LF) is the
				// same token.
				var req struct {
					Credential json.RawMessage `json:"credential"`
				}
				if err := json.Unmarshal(body, &req); err != nil {
					t.Fatal(err)
				}
				_, err = r.svc.FinishLogin(context.Background(), stBody(t, tok[:10]+"\r\n"+tok[10:], req.Credential))
				wantCode(t, err, CodeInvalidSession)
				return
			}
			wantCode(t, err, tc.code)
			// A released token still carries its challenge: the real authenticator may use it.
			a.Counter = bad.Counter + 1
			resp, err := a.Get(mustOptionsFor(t, r, tok))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.svc.FinishLogin(context.Background(), stBody(t, tok, resp)); err != nil {
				t.Fatalf("retry with the released token: %v", err)
			}
		})
	}
}

// mustOptionsFor rebuilds request options for a token's challenge (what the page still holds).
func mustOptionsFor(t *testing.T, r *stRig, tok string) json.RawMessage {
	t.Helper()
	s, _, err := r.svc.sessions.open(tok, ceremonyLogin, r.now)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(map[string]any{"challenge": s.data.Challenge, "rpId": s.data.RelyingPartyID})
	return raw
}

func TestRegistrationTokenSingleUse(t *testing.T) {
	r := newSTRig(t, nil)
	ctx := context.Background()
	b := r.beginRegister("holder-1")
	resp, err := passkeytest.New(stOrigin).Create(stOptions(t, b))
	if err != nil {
		t.Fatal(err)
	}
	body := stBody(t, b.Session, resp)
	if _, err := r.svc.FinishRegistration(ctx, body); err != nil {
		t.Fatal(err)
	}
	_, err = r.svc.FinishRegistration(ctx, body)
	wantCode(t, err, CodeInvalidSession)
	// A valid attestation that fails after verification (its invite consumed by a parallel
	// ceremony) releases its token; the atomic invite consumption refuses every retry.
	inv, _ := r.svc.Invite(ctx, "op", "holder-2", []string{"mdl"})
	u, _ := url.Parse(inv.URL)
	var first, second Begin
	for _, b := range []*Begin{&first, &second} {
		if *b, err = r.svc.BeginRegistration(ctx, u.Query().Get("invite")); err != nil {
			t.Fatal(err)
		}
	}
	resp, _ = passkeytest.New(stOrigin).Create(stOptions(t, first))
	if _, err := r.svc.FinishRegistration(ctx, stBody(t, first.Session, resp)); err != nil {
		t.Fatal(err)
	}
	before := r.svc.sessions.used.len()
	resp, _ = passkeytest.New(stOrigin).Create(stOptions(t, second))
	body = stBody(t, second.Session, resp)
	for range 2 {
		_, err = r.svc.FinishRegistration(ctx, body)
		wantCode(t, err, CodeInviteUsed)
	}
	if n := r.svc.sessions.used.len(); n != before {
		t.Fatalf("failed registration kept a record: %d -> %d", before, n)
	}
}

func TestConcurrentFinishOneWins(t *testing.T) {
	r := newSTRig(t, nil)
	a := r.register("holder-1")
	_, body := r.loginBody(a)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = r.svc.FinishLogin(context.Background(), body)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		if !errors.Is(err, ErrInvalidSession) {
			t.Fatalf("loser: %v, want invalid_session", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d successes, want exactly 1", ok)
	}
}

func TestSessionTokenRejected(t *testing.T) {
	r := newSTRig(t, nil)
	a := r.register("holder-1")
	tok, _ := r.loginBody(a)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	regBegin := r.beginRegister("holder-2")
	reg := regBegin.Session
	otherKey := newSTRig(t, func(c *Config) { c.SessionKey = bytes.Repeat([]byte{7}, SessionKeySize) })
	foreign, _ := otherKey.svc.BeginLogin(context.Background())

	cases := []struct {
		name, tok string
		kind      ceremony
		at        time.Duration
	}{
		{"empty", "", ceremonyLogin, 0},
		{"not base64", tok[:20] + "!" + tok[21:], ceremonyLogin, 0},
		{"padded", tok + "==", ceremonyLogin, 0},
		{"over the size bound", strings.Repeat("A", MaxSessionTokenBytes+4), ceremonyLogin, 0},
		{"nonce only", enc(raw[:12]), ceremonyLogin, 0},
		{"one byte short of a tag", enc(raw[:12+15]), ceremonyLogin, 0},
		{"truncated by one byte", enc(raw[:len(raw)-1]), ceremonyLogin, 0},
		{"extended by one byte", enc(append(bytes.Clone(raw), 0)), ceremonyLogin, 0},
		{"sealed with another key", foreign.Session, ceremonyLogin, 0},
		{"login token at register finish", tok, ceremonyRegister, 0},
		{"register token at login finish", reg, ceremonyLogin, 0},
		{"expired (exactly at expiry)", tok, ceremonyLogin, 5 * time.Minute},
		{"expired", tok, ceremonyLogin, 6 * time.Minute},
	}
	for i := range raw { // a flipped bit anywhere: nonce, ciphertext, tag
		bad := bytes.Clone(raw)
		bad[i] ^= 0x01
		cases = append(cases, struct {
			name, tok string
			kind      ceremony
			at        time.Duration
		}{fmt.Sprintf("flipped byte %d", i), enc(bad), ceremonyLogin, 0})
	}
	for _, tc := range cases {
		_, _, err := r.svc.sessions.open(tc.tok, tc.kind, r.now.Add(tc.at))
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != CodeInvalidSession || !errors.Is(err, ErrInvalidSession) {
			t.Fatalf("%s: %v, want invalid_session", tc.name, err)
		}
	}
	if _, _, err := r.svc.sessions.open(tok, ceremonyLogin, r.now.Add(5*time.Minute-time.Nanosecond)); err != nil {
		t.Fatalf("untouched token just before expiry: %v", err)
	}

	// Through the service with real ceremonies: a tampered token with a valid assertion,
	// a token of the wrong kind, an expired one. None leaves a record.
	ctx := context.Background()
	tok2, body := r.loginBody(a)
	raw2, _ := base64.RawURLEncoding.DecodeString(tok2)
	raw2[len(raw2)/2] ^= 0x80
	var cred struct {
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.Unmarshal(body, &cred); err != nil {
		t.Fatal(err)
	}
	_, err = r.svc.FinishLogin(ctx, stBody(t, enc(raw2), cred.Credential))
	wantCode(t, err, CodeInvalidSession)
	regResp, err := passkeytest.New(stOrigin).Create(stOptions(t, regBegin))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.svc.FinishRegistration(ctx, stBody(t, tok2, regResp)) // login token, valid attestation
	wantCode(t, err, CodeInvalidSession)
	before := r.svc.sessions.used.len()
	r.now = r.now.Add(6 * time.Minute)
	_, err = r.svc.FinishLogin(ctx, body)
	wantCode(t, err, CodeInvalidSession)
	if n := r.svc.sessions.used.len(); n != before {
		t.Fatalf("rejected tokens left records: %d -> %d", before, n)
	}
}

func TestUsedSetBounded(t *testing.T) {
	r := newSTRig(t, func(c *Config) { c.MaxSessions = 2 })
	a := r.register("holder-1") // record 1, expires at t0+5m
	ctx := context.Background()
	r.now = r.now.Add(time.Minute)
	_, body := r.loginBody(a) // record 2, expires at t0+6m
	if _, err := r.svc.FinishLogin(ctx, body); err != nil {
		t.Fatal(err)
	}
	r.now = r.now.Add(time.Minute)
	_, body = r.loginBody(a)
	_, err := r.svc.FinishLogin(ctx, body)
	wantCode(t, err, CodeTooManySessions)
	if !errors.Is(err, ErrTooManySessions) {
		t.Fatal("not ErrTooManySessions")
	}
	// The refused token was never reserved: once the first record is past its hold (expiry
	// plus usedGrace), it goes through.
	r.now = r.now.Add(3*time.Minute + usedGrace + time.Second) // t0+6m+1s
	if _, err := r.svc.FinishLogin(ctx, body); err != nil {
		t.Fatalf("after the sweep: %v", err)
	}
	if n := r.svc.sessions.used.len(); n != 2 {
		t.Fatalf("%d records, want 2", n)
	}
}

func TestSessionKeyConfig(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		_, err := New(Config{Store: NewMemoryStore(memory.New()), Holders: stHolders{}, PublicURL: stOrigin, SessionKey: make([]byte, n)})
		if err == nil {
			t.Fatalf("SessionKey of %d bytes accepted", n)
		}
	}
	// Two instances sharing a key and a store: either finishes the other's ceremony.
	key := bytes.Repeat([]byte{0x42}, SessionKeySize)
	store := NewMemoryStore(memory.New())
	shared := func(c *Config) { c.SessionKey, c.Store = key, store }
	r1, r2 := newSTRig(t, shared), newSTRig(t, shared)
	a := r1.register("holder-1")
	_, body := r1.loginBody(a)
	if l, err := r2.svc.FinishLogin(context.Background(), body); err != nil || l.HolderID != "holder-1" {
		t.Fatalf("finish at the other instance: %+v %v", l, err)
	}
	// Without the shared key the other instance refuses it.
	r3 := newSTRig(t, func(c *Config) { c.Store = store })
	_, body = r1.loginBody(a)
	_, err := r3.svc.FinishLogin(context.Background(), body)
	wantCode(t, err, CodeInvalidSession)
}

func FuzzOpenSession(f *testing.F) {
	r := newSTRig(f, func(c *Config) { c.SessionKey = bytes.Repeat([]byte{1}, SessionKeySize) })
	login, err := r.svc.BeginLogin(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	reg := r.beginRegister("holder-1")
	for _, s := range []string{login.Session, reg.Session, login.Session[:40], "", "AAAA", "!!", login.Session + "A"} {
		f.Add(s)
	}
	sess := r.svc.sessions
	f.Fuzz(func(t *testing.T, tok string) {
		s, _, err := sess.open(tok, ceremonyLogin, r.now)
		if err == nil {
			if s.kind != ceremonyLogin || !r.now.Before(s.expires) || s.data.Challenge == "" {
				t.Fatalf("opened an unusable session: %+v", s)
			}
			return
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != CodeInvalidSession {
			t.Fatalf("untyped error: %v", err)
		}
	})
}

func BenchmarkBeginLogin(b *testing.B) {
	r := newSTRig(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.svc.BeginLogin(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenSession(b *testing.B) {
	r := newSTRig(b, nil)
	begin, err := r.svc.BeginLogin(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := r.svc.sessions.open(begin.Session, ceremonyLogin, r.now); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPasskeyQuota: one passkey holds at most maxPerPasskey spent tokens at a time, so an
// enrolled holder scripting logins cannot fill the single-use set for everyone: its next login
// is refused (passkey_rate_limited) while another holder's goes through, and it may log in
// again once its oldest record is past its hold.
func TestPasskeyQuota(t *testing.T) {
	r := newSTRig(t, nil)
	ctx := context.Background()
	mallory, alice := r.register("holder-m"), r.register("holder-a")
	start := r.now
	for i := range maxPerPasskey {
		r.now = r.now.Add(time.Second)
		_, body := r.loginBody(mallory)
		if _, err := r.svc.FinishLogin(ctx, body); err != nil {
			t.Fatalf("login %d: %v", i+1, err)
		}
	}
	r.now = r.now.Add(time.Second)
	_, body := r.loginBody(mallory)
	before := r.svc.sessions.used.len()
	_, err := r.svc.FinishLogin(ctx, body)
	wantCode(t, err, CodePasskeyBusy)
	if n := r.svc.sessions.used.len(); n != before {
		t.Fatalf("a refused login left a record: %d -> %d", before, n)
	}
	if _, aliceBody := r.loginBody(alice); true {
		if _, err := r.svc.FinishLogin(ctx, aliceBody); err != nil {
			t.Fatalf("another holder: %v", err)
		}
	}
	// The first of mallory's records is held until start+1s+5m+usedGrace.
	r.now = start.Add(time.Second + 5*time.Minute + usedGrace)
	_, body = r.loginBody(mallory)
	if _, err := r.svc.FinishLogin(ctx, body); err != nil {
		t.Fatalf("after the oldest record's hold: %v", err)
	}
}

// TestUsedTokensReservations: a sweep never drops a reservation in flight, and a release
// only deletes the reservation it made.
func TestUsedTokensReservations(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	u := newUsedTokens(2)
	k1, k2, k3 := [32]byte{1}, [32]byte{2}, [32]byte{3}
	e1, err := u.reserve(k1, now.Add(time.Second), now)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := u.reserve(k2, now.Add(time.Second), now)
	if err != nil {
		t.Fatal(err)
	}
	u.keep(e2)
	// Long after both expired: the kept record is swept, the reservation is not.
	later := now.Add(time.Hour)
	if _, err := u.reserve(k3, later.Add(time.Minute), later); err != nil {
		t.Fatalf("sweep did not free the expired kept record: %v", err)
	}
	if _, err := u.reserve(k1, later.Add(time.Minute), later); err == nil {
		t.Fatal("a reservation in flight was swept and the token reserved again")
	}
	// A release by a stale reservation does not delete a newer record under the same key.
	u.release(k1, &usedEntry{})
	if _, err := u.reserve(k1, later.Add(time.Minute), later); err == nil {
		t.Fatal("a stale release deleted the live reservation")
	}
	u.release(k1, e1)
	if _, err := u.reserve(k1, later.Add(time.Minute), later); err != nil {
		t.Fatalf("after its own release the token is free again: %v", err)
	}
}

// TestSessionBoundToOrigin: a token sealed by a deployment for another origin does not open
// here even when the two share a SessionKey.
func TestSessionBoundToOrigin(t *testing.T) {
	key := bytes.Repeat([]byte{7}, SessionKeySize)
	here := newSTRig(t, func(c *Config) { c.SessionKey = key })
	other, err := New(Config{Store: NewMemoryStore(memory.New()), Holders: stHolders{}, PublicURL: "http://localhost:18444", SessionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	b, err := other.BeginLogin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := here.svc.sessions.open(b.Session, ceremonyLogin, here.now); err == nil {
		t.Fatal("another origin's token opened")
	}
	if _, _, err := other.sessions.open(b.Session, ceremonyLogin, time.Now()); err != nil {
		t.Fatalf("its own origin: %v", err)
	}
}

// FuzzOpenSealedSession seals arbitrary plaintexts with the session key, so that what follows
// the GCM check (strict JSON, kind, expiry) sees hostile input that random tokens never reach.
func FuzzOpenSealedSession(f *testing.F) {
	r := newSTRig(f, nil)
	sess := r.svc.sessions
	for _, s := range []string{
		`{"k":2,"d":{"challenge":"abc","user_id":null,"expires":"0001-01-01T00:00:00Z","userVerification":"required"},"e":9000000000000000000}`,
		`{"k":1,"d":{},"e":1}`, `{"k":2}`, `{}`, `[]`, `null`, `{"k":2,"x":1}`, `{"k":2,"d":{}} {}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, pt []byte) {
		nonce := make([]byte, sess.aead.NonceSize())
		tok := base64.RawURLEncoding.EncodeToString(sess.aead.Seal(nonce, nonce, pt, sess.ad))
		s, _, err := sess.open(tok, ceremonyLogin, r.now)
		if err == nil {
			if s.kind != ceremonyLogin || !r.now.Before(s.expires) {
				t.Fatalf("opened an unusable session: %+v", s)
			}
			return
		}
		var pe *Error
		if !errors.As(err, &pe) || (pe.Code != CodeInvalidSession && pe.Code != CodeUnavailable) {
			t.Fatalf("untyped error: %v", err)
		}
	})
}

// TestPasskeyQuotaConcurrent: the share is claimed in the same step as it is checked, so many
// concurrent logins of one passkey (each with its own token) cannot all pass the check: at
// most maxPerPasskey tokens end up spent for it.
func TestPasskeyQuotaConcurrent(t *testing.T) {
	r := newSTRig(t, nil)
	a := r.register("holder-1")
	bodies := make([][]byte, 40)
	for i := range bodies {
		_, bodies[i] = r.loginBody(a)
	}
	base := r.svc.sessions.used.len()
	var wg sync.WaitGroup
	for _, b := range bodies {
		wg.Go(func() { _, _ = r.svc.FinishLogin(context.Background(), b) })
	}
	wg.Wait()
	if kept := r.svc.sessions.used.len() - base; kept < 1 || kept > maxPerPasskey {
		t.Fatalf("%d tokens spent for one passkey by 40 concurrent logins, want 1..%d", kept, maxPerPasskey)
	}
	if sh := r.svc.sessions.used.passkeys[passkeyOwner(a.CredentialID())]; sh != nil && sh.inFlight != 0 {
		t.Fatalf("%d logins still counted in flight after all returned", sh.inFlight)
	}
}
