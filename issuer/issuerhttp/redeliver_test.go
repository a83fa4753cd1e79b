package issuerhttp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/storage"
)

// claimsOf decodes the issuer-signed JWT's payload of an SD-JWT VC.
func claimsOf(t *testing.T, sdjwtVC string) map[string]any {
	t.Helper()
	parts := strings.Split(strings.SplitN(sdjwtVC, "~", 2)[0], ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.40q", sdjwtVC)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) freshNonce(t *testing.T) string {
	t.Helper()
	st, n := f.call("POST", "/nonce", "", "", "")
	if st != http.StatusOK {
		t.Fatalf("nonce: %d %v", st, n)
	}
	return n["c_nonce"].(string)
}

func (f *fixture) requestCredential(t *testing.T, h holder, token, nonce string) (int, map[string]any) {
	t.Helper()
	return f.call("POST", "/credential", token, "application/json", credentialBody("employee-id", h.proof(t, f.url, nonce, f.now, nil)))
}

func vcOf(t *testing.T, body map[string]any) string {
	t.Helper()
	creds, _ := body["credentials"].([]any)
	if len(creds) != 1 {
		t.Fatalf("answer %v", body)
	}
	return creds[0].(map[string]any)["credential"].(string)
}

func auditCount(t *testing.T, s storage.Storage, action string) int {
	t.Helper()
	all, err := s.ListAudit(context.Background(), 0, storage.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range all {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestCredentialRedelivery(t *testing.T) {
	f := newFixture(t, nil)
	holderID, code := f.enrolAndOffer(credential.EmployeeID)
	_, tok := f.redeem(code)
	at := tok["access_token"].(string)
	h := newHolder(t)
	st, body := f.requestCredential(t, h, at, tok["c_nonce"].(string))
	if st != http.StatusOK {
		t.Fatalf("first: %d %v", st, body)
	}
	first := claimsOf(t, vcOf(t, body))

	// The wallet lost the answer: the same token and key with a fresh nonce get the same
	// credential (status slot, iat, exp, key), and the store still holds one.
	f.mutNow(time.Minute)
	st, body = f.requestCredential(t, h, at, f.freshNonce(t))
	if st != http.StatusOK {
		t.Fatalf("repeat: %d %v", st, body)
	}
	again := claimsOf(t, vcOf(t, body))
	for _, k := range []string{"status", "iat", "exp", "cnf", "vct", "iss"} {
		if toJSON(first[k]) != toJSON(again[k]) {
			t.Fatalf("%s: %v, then %v", k, first[k], again[k])
		}
	}
	creds, err := f.store.ListCredentials(context.Background(), storage.CredentialFilter{HolderID: holderID})
	if err != nil || len(creds) != 1 {
		t.Fatalf("stored credentials: %v, %v", creds, err)
	}
	if got := auditCount(t, f.store, "credential.issue"); got != 1 {
		t.Fatalf("%d credential.issue events, want 1", got)
	}
	if got := auditCount(t, f.store, "credential.redeliver"); got != 1 {
		t.Fatalf("%d credential.redeliver events, want 1", got)
	}

	// Another key is refused; so is a replayed proof; so is a revoked credential; so is
	// anything after the token expired.
	if st, body := f.requestCredential(t, newHolder(t), at, f.freshNonce(t)); st != http.StatusUnauthorized || body["error"] != issuer.CodeInvalidToken {
		t.Fatalf("other key: %d %v", st, body)
	}
	n := f.freshNonce(t)
	p := h.proof(t, f.url, n, f.now, nil)
	f.call("POST", "/credential", at, "application/json", credentialBody("employee-id", p))
	if st, body := f.call("POST", "/credential", at, "application/json", credentialBody("employee-id", p)); st != http.StatusBadRequest || body["error"] != issuer.CodeInvalidNonce {
		t.Fatalf("replayed proof: %d %v", st, body)
	}
	f.mutNow(5 * time.Minute)
	if st, body := f.requestCredential(t, h, at, f.freshNonce(t)); st != http.StatusUnauthorized || body["error"] != issuer.CodeInvalidToken {
		t.Fatalf("after token expiry: %d %v", st, body)
	}

	t.Run("revoked credential is not re-delivered", func(t *testing.T) {
		_, code := f.enrolAndOffer(credential.EmployeeID)
		_, tok := f.redeem(code)
		at := tok["access_token"].(string)
		h := newHolder(t)
		st, body := f.requestCredential(t, h, at, tok["c_nonce"].(string))
		if st != http.StatusOK {
			t.Fatalf("first: %d %v", st, body)
		}
		list, _ := f.store.ListCredentials(context.Background(), storage.CredentialFilter{})
		for _, c := range list {
			if c.Status == storage.StatusValid {
				if st, _ := f.operator("POST", "/v1/credentials/"+c.ID+"/revoke", ""); st != http.StatusOK {
					t.Fatalf("revoke: %d", st)
				}
			}
		}
		if st, body := f.requestCredential(t, h, at, f.freshNonce(t)); st != http.StatusUnauthorized {
			t.Fatalf("re-delivery of a revoked credential: %d %v", st, body)
		}
	})
}

// TestConcurrentTwins: concurrent repeats of one token request and of one credential request
// (same key) all get the same answer; the store holds one token, one credential and one event
// of each.
func TestConcurrentTwins(t *testing.T) {
	f := newFixture(t, nil)
	holderID, code := f.enrolAndOffer(credential.EmployeeID)
	const n = 8
	tokens := make([]map[string]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, body := f.redeem(code)
			if st != http.StatusOK {
				t.Errorf("twin %d: %d %v", i, st, body)
			}
			tokens[i] = body
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	at := tokens[0]["access_token"].(string)
	for i, tk := range tokens {
		if tk["access_token"] != at {
			t.Fatalf("twin %d got another token", i)
		}
	}
	if got := auditCount(t, f.store, "offer.redeem"); got != 1 {
		t.Fatalf("%d offer.redeem events, want 1", got)
	}
	h := newHolder(t)
	slots := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, body := f.call("POST", "/credential", at, "application/json", credentialBody("employee-id", h.proof(t, f.url, freshNonce(f), f.now, nil)))
			if st != http.StatusOK {
				t.Errorf("twin %d: %d %v", i, st, body)
				return
			}
			slots[i] = toJSON(claimsOf(t, vcOf(t, body))["status"])
		}()
	}
	wg.Wait()
	for i := range slots {
		if slots[i] != slots[0] {
			t.Fatalf("twin %d got status %s, twin 0 %s", i, slots[i], slots[0])
		}
	}
	creds, err := f.store.ListCredentials(context.Background(), storage.CredentialFilter{HolderID: holderID})
	if err != nil || len(creds) != 1 {
		t.Fatalf("stored credentials: %d, %v", len(creds), err)
	}
	if got := auditCount(t, f.store, "credential.issue"); got != 1 {
		t.Fatalf("%d credential.issue events, want 1", got)
	}
}

// TestUndeliveredRevoked: a credential whose answer never went out in full stays pending and
// is revoked (with its audit event) once its token expired; a delivered one is not.
func TestUndeliveredRevoked(t *testing.T) {
	const grace = 3 * time.Minute // Config.UndeliveredGrace, beyond its 1 min default
	f := newFixture(t, func(c *issuer.Config) { c.UndeliveredGrace = grace })
	ctx := context.Background()
	// Delivered through HTTP.
	deliveredHolder, code := f.enrolAndOffer(credential.EmployeeID)
	_, tok := f.redeem(code)
	if st, body := f.requestCredential(t, newHolder(t), tok["access_token"].(string), tok["c_nonce"].(string)); st != http.StatusOK {
		t.Fatalf("delivered: %d %v", st, body)
	}
	// Issued, but the process never handed the answer over (the service call alone).
	lostHolder, code := f.enrolAndOffer(credential.EmployeeID)
	_, tok = f.redeem(code)
	h := newHolder(t)
	iss, err := f.svc.Credential(ctx, tok["access_token"].(string), issuer.CredentialRequest{
		ConfigurationID: "employee-id",
		Proofs:          &issuer.KeyProofs{JWT: []string{h.proof(t, f.url, tok["c_nonce"].(string), f.now, nil)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	status := func(holderID string) storage.Credential {
		t.Helper()
		l, err := f.store.ListCredentials(ctx, storage.CredentialFilter{HolderID: holderID})
		if err != nil || len(l) != 1 {
			t.Fatalf("credentials of %s: %v, %v", holderID, l, err)
		}
		return l[0]
	}
	if c := status(deliveredHolder); c.PendingUntil != nil {
		t.Fatalf("delivered credential still pending: %+v", c)
	}
	if c := status(lostHolder); c.PendingUntil == nil || c.ID != iss.ID {
		t.Fatalf("undelivered credential not pending: %+v", c)
	}
	// Before the token expired (plus the grace) nothing is revoked.
	f.mutNow(5*time.Minute + grace - time.Second)
	if n, err := f.svc.RevokeUndelivered(ctx); n != 0 || err != nil {
		t.Fatalf("early sweep: %d, %v", n, err)
	}
	f.mutNow(2 * time.Second)
	if n, err := f.svc.RevokeUndelivered(ctx); n != 1 || err != nil {
		t.Fatalf("sweep: %d, %v", n, err)
	}
	if c := status(lostHolder); c.Status != storage.StatusInvalid || c.PendingUntil != nil {
		t.Fatalf("undelivered credential after the sweep: %+v", c)
	}
	if c := status(deliveredHolder); c.Status != storage.StatusValid {
		t.Fatalf("delivered credential after the sweep: %+v", c)
	}
	all, err := f.store.ListAudit(ctx, 0, storage.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	last := all[len(all)-1]
	if last.Action != "credential.revoke" || last.Subject != iss.ID || last.Details["reason"] != "undelivered" {
		t.Fatalf("last event %+v", last)
	}
	if n, err := f.svc.RevokeUndelivered(ctx); n != 0 || err != nil {
		t.Fatalf("second sweep: %d, %v", n, err)
	}
}

// TestEveryActionHasItsEvent: after a full issuance, each stored change has its event.
func TestEveryActionHasItsEvent(t *testing.T) {
	f := newFixture(t, nil)
	holderID, code := f.enrolAndOffer(credential.EmployeeID)
	_, tok := f.redeem(code)
	if st, body := f.requestCredential(t, newHolder(t), tok["access_token"].(string), tok["c_nonce"].(string)); st != http.StatusOK {
		t.Fatalf("credential: %d %v", st, body)
	}
	ctx := context.Background()
	creds, _ := f.store.ListCredentials(ctx, storage.CredentialFilter{HolderID: holderID})
	lists, _ := f.store.ListStatusLists(ctx)
	all, err := f.store.ListAudit(ctx, 0, storage.MaxLimit)
	if err != nil || len(creds) != 1 || len(lists) != 1 {
		t.Fatalf("%v %v %v", creds, lists, err)
	}
	got := map[string]string{}
	for i, e := range all {
		if e.Seq != int64(i+1) {
			t.Fatalf("audit gap at %d: seq %d", i, e.Seq)
		}
		got[e.Action] = e.Subject
	}
	for action, subject := range map[string]string{
		"holder.enrol": holderID, "statuslist.create": lists[0].ID, "credential.issue": creds[0].ID,
	} {
		if got[action] != subject {
			t.Fatalf("%s event for %q, want %q (log %v)", action, got[action], subject, got)
		}
	}
	if _, ok := got["offer.create"]; !ok {
		t.Fatal("no offer.create event")
	}
	if _, ok := got["offer.redeem"]; !ok {
		t.Fatal("no offer.redeem event")
	}
}

// TestRedeliveryWindowBounds: New refuses re-delivery windows outside their bounds.
func TestRedeliveryWindowBounds(t *testing.T) {
	var base issuer.Config
	newFixture(t, func(c *issuer.Config) { base = *c })
	for _, tc := range []struct {
		name          string
		repeat, grace time.Duration
		ok            bool
	}{
		{"defaults", 0, 0, true},
		{"repeat at the token lifetime", 5 * time.Minute, 0, true},
		{"repeat past the token lifetime", 5*time.Minute + time.Second, 0, false},
		{"repeat under a second", 500 * time.Millisecond, 0, false},
		{"negative repeat", -time.Second, 0, false},
		{"grace bounds", time.Second, issuer.MinUndeliveredGrace, true},
		{"grace at the maximum", 0, issuer.MaxUndeliveredGrace, true},
		{"grace under the write timeout", 0, issuer.MinUndeliveredGrace - time.Second, false},
		{"grace past the maximum", 0, issuer.MaxUndeliveredGrace + time.Second, false},
		{"negative grace", 0, -time.Minute, false},
	} {
		cfg := base
		cfg.TokenRepeatWindow, cfg.UndeliveredGrace = tc.repeat, tc.grace
		_, err := issuer.New(cfg)
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, issuer.ErrConfig)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
