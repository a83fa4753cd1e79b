package conformance

import (
	"errors"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

// event is an audit event recording action on subject.
func event(action, subject string) storage.AuditEvent {
	return storage.AuditEvent{Time: t0, Actor: "test", Action: action, Subject: subject, Details: map[string]string{"k": "v"}}
}

// badEvent fails AuditEvent.Validate (empty action).
var badEvent = storage.AuditEvent{Time: t0, Subject: "x"}

// auditActions lists the logged actions in order.
func auditActions(t *testing.T, s storage.Storage) []string {
	t.Helper()
	all, err := s.ListAudit(ctx(t), 0, storage.MaxLimit)
	must(t, err)
	return ids(all, func(e storage.AuditEvent) string { return e.Action + ":" + e.Subject })
}

// testAuditedWrites: every write commits with its audit events or not at all.
func testAuditedWrites(t *testing.T, s storage.Storage) {
	boom := errors.New("boom")
	var want []string
	check := func(step string) {
		t.Helper()
		if got := auditActions(t, s); len(got) != len(want) || (len(want) > 0 && eqFail(got, want)) {
			t.Fatalf("%s: audit log %v, want %v", step, got, want)
		}
	}

	// Creates: an invalid event writes neither the record nor any event.
	wantErr(t, s.CreateHolder(ctx(t), storage.Holder{ID: "h-1", CreatedAt: t0}, event("holder.enrol", "h-1"), badEvent), storage.ErrInvalid)
	_, err := s.GetHolder(ctx(t), "h-1")
	wantErr(t, err, storage.ErrNotFound)
	must(t, s.CreateHolder(ctx(t), storage.Holder{ID: "h-1", CreatedAt: t0}, event("holder.enrol", "h-1")))
	want = append(want, "holder.enrol:h-1")
	// A failing create (duplicate) appends nothing.
	wantErr(t, s.CreateHolder(ctx(t), storage.Holder{ID: "h-1", CreatedAt: t0}, event("holder.enrol", "dup")), storage.ErrAlreadyExists)
	check("holder")

	o := newOffer("h-1", "o-1", t)
	wantErr(t, s.CreateOffer(ctx(t), o, badEvent), storage.ErrInvalid)
	_, err = s.GetOffer(ctx(t), "o-1")
	wantErr(t, err, storage.ErrNotFound)
	must(t, s.CreateOffer(ctx(t), o, event("offer.create", "o-1")))
	want = append(want, "offer.create:o-1")

	l := storage.StatusList{ID: "l-1", URI: "https://issuer.example/status/l-1", Bits: 2, Size: 4, CreatedAt: t0}
	wantErr(t, s.CreateStatusList(ctx(t), l, badEvent), storage.ErrInvalid)
	must(t, s.CreateStatusList(ctx(t), l, event("statuslist.create", "l-1")))
	want = append(want, "statuslist.create:l-1")
	check("creates")

	// RedeemOffer: an updater that fails after changing the offer leaves the offer, the token
	// and the log untouched; so does a token that cannot be inserted.
	tok := storage.AccessToken{TokenHash: hash(t), OfferID: "o-1", CNonce: "n-1", CNonceExpiresAt: t0.Add(time.Minute), ExpiresAt: t0.Add(time.Hour)}
	redeem := func(o *storage.Offer) error {
		at := t0.Add(time.Second)
		o.RedeemedAt, o.TokenSalt = &at, hash(t)
		return nil
	}
	err = s.RedeemOffer(ctx(t), "o-1", func(o *storage.Offer) error { _ = redeem(o); return boom }, tok, event("offer.redeem", "o-1"))
	if !errors.Is(err, boom) {
		t.Fatalf("RedeemOffer with failing updater: %v", err)
	}
	wantErr(t, s.RedeemOffer(ctx(t), "o-1", redeem, tok, badEvent), storage.ErrInvalid)
	other := tok
	other.OfferID = "o-2"
	wantErr(t, s.RedeemOffer(ctx(t), "o-1", redeem, other, event("offer.redeem", "o-1")), storage.ErrInvalid)
	assertUnredeemed := func(step string) {
		t.Helper()
		got, err := s.GetOffer(ctx(t), "o-1")
		must(t, err)
		if got.RedeemedAt != nil || got.TokenSalt != nil {
			t.Fatalf("%s: offer changed: %+v", step, got)
		}
		_, err = s.GetAccessToken(ctx(t), tok.TokenHash)
		wantErr(t, err, storage.ErrNotFound)
		check(step)
	}
	assertUnredeemed("failed redeem")
	// A token hash that already exists aborts the redemption too.
	mustOffer(t, s, "h-1", "o-2")
	taken := storage.AccessToken{TokenHash: hash(t), OfferID: "o-2", ExpiresAt: t0.Add(time.Hour)}
	must(t, s.CreateAccessToken(ctx(t), taken, event("token.create", "o-2")))
	want = append(want, "token.create:o-2")
	dup := tok
	dup.TokenHash = taken.TokenHash
	wantErr(t, s.RedeemOffer(ctx(t), "o-1", redeem, dup, event("offer.redeem", "o-1")), storage.ErrAlreadyExists)
	assertUnredeemed("redeem with a taken token hash")

	must(t, s.RedeemOffer(ctx(t), "o-1", redeem, tok, event("offer.redeem", "o-1")))
	want = append(want, "offer.redeem:o-1")
	got, err := s.GetOffer(ctx(t), "o-1")
	must(t, err)
	if got.RedeemedAt == nil || len(got.TokenSalt) != 32 {
		t.Fatalf("redeemed offer: %+v", got)
	}
	if _, err := s.GetAccessToken(ctx(t), tok.TokenHash); err != nil {
		t.Fatalf("token of the redeemed offer: %v", err)
	}
	check("redeem")
	// A second redemption refused by the updater writes nothing.
	err = s.RedeemOffer(ctx(t), "o-1", func(o *storage.Offer) error {
		if o.RedeemedAt != nil {
			return boom
		}
		return nil
	}, storage.AccessToken{TokenHash: hash(t), OfferID: "o-1", ExpiresAt: t0.Add(time.Hour)}, event("offer.redeem", "o-1"))
	if !errors.Is(err, boom) {
		t.Fatalf("second redeem: %v", err)
	}
	check("second redeem")

	// IssueCredential with a token: a failing token updater, or an invalid event, leaves no
	// credential, no used slot, an unchanged token and no event.
	pending := t0.Add(time.Hour)
	c := newCred("c-1", "h-1", "o-1", "l-1")
	c.PendingUntil = &pending
	use := func(a *storage.AccessToken) error {
		at := t0.Add(2 * time.Second)
		a.UsedAt, a.CredentialID, a.CNonce = &at, "c-1", ""
		return nil
	}
	issueEvent := func(c storage.Credential) storage.AuditEvent { return event("credential.issue", c.ID) }
	_, err = s.IssueCredential(ctx(t), c, storage.IssueOptions{TokenHash: tok.TokenHash,
		UseToken: func(a *storage.AccessToken) error { _ = use(a); return boom }, Audit: issueEvent})
	if !errors.Is(err, boom) {
		t.Fatalf("issue with failing token updater: %v", err)
	}
	_, err = s.IssueCredential(ctx(t), c, storage.IssueOptions{TokenHash: tok.TokenHash, UseToken: use,
		Audit: func(storage.Credential) storage.AuditEvent { return badEvent }})
	wantErr(t, err, storage.ErrInvalid)
	_, err = s.IssueCredential(ctx(t), c, storage.IssueOptions{TokenHash: hash(t), UseToken: use, Audit: issueEvent})
	wantErr(t, err, storage.ErrNotFound)
	_, err = s.GetCredential(ctx(t), "c-1")
	wantErr(t, err, storage.ErrNotFound)
	if e, err := s.StatusEntries(ctx(t), "l-1"); err != nil || len(e) != 0 {
		t.Fatalf("status entries after failed issues: %v, %v", e, err)
	}
	if a, err := s.GetAccessToken(ctx(t), tok.TokenHash); err != nil || a.UsedAt != nil || a.CredentialID != "" || a.CNonce != "n-1" {
		t.Fatalf("token after failed issues: %+v, %v", a, err)
	}
	check("failed issues")

	var logged storage.Credential
	out, err := s.IssueCredential(ctx(t), c, storage.IssueOptions{TokenHash: tok.TokenHash, UseToken: use,
		Audit: func(c storage.Credential) storage.AuditEvent {
			logged = c
			e := event("credential.issue", c.ID)
			e.Details = map[string]string{"status_idx": string(rune('0' + c.StatusIndex))}
			return e
		}})
	must(t, err)
	want = append(want, "credential.issue:c-1")
	check("issue")
	if logged.StatusIndex != out.StatusIndex || logged.ID != "c-1" {
		t.Fatalf("audit saw %+v, stored %+v", logged, out)
	}
	if a, err := s.GetAccessToken(ctx(t), tok.TokenHash); err != nil || a.UsedAt == nil || a.CredentialID != "c-1" || a.CNonce != "" {
		t.Fatalf("token after issue: %+v, %v", a, err)
	}
	stored, err := s.GetCredential(ctx(t), "c-1")
	must(t, err)
	eqTimePtr(t, "PendingUntil", stored.PendingUntil, &pending)

	// PendingBefore selects credentials still pending at a time.
	for _, tc := range []struct {
		before time.Time
		want   []string
	}{{pending, nil}, {pending.Add(time.Nanosecond), []string{"c-1"}}} {
		l, err := s.ListCredentials(ctx(t), storage.CredentialFilter{PendingBefore: tc.before})
		must(t, err)
		eqStrings(t, "pending before "+tc.before.String(), ids(l, func(c storage.Credential) string { return c.ID }), tc.want)
	}

	// UpdateCredential: a failing updater writes neither change nor event.
	err = s.UpdateCredential(ctx(t), "c-1", func(c *storage.Credential) error {
		c.Status, c.PendingUntil = storage.StatusInvalid, nil
		return boom
	}, event("credential.revoke", "c-1"))
	if !errors.Is(err, boom) {
		t.Fatalf("update with failing updater: %v", err)
	}
	wantErr(t, s.UpdateCredential(ctx(t), "c-1", func(c *storage.Credential) error { c.PendingUntil = nil; return nil }, badEvent), storage.ErrInvalid)
	if got, _ := s.GetCredential(ctx(t), "c-1"); got.Status != storage.StatusValid || got.PendingUntil == nil {
		t.Fatalf("credential after failed updates: %+v", got)
	}
	check("failed credential updates")
	must(t, s.UpdateCredential(ctx(t), "c-1", func(c *storage.Credential) error { c.PendingUntil = nil; return nil }))
	if l, _ := s.ListCredentials(ctx(t), storage.CredentialFilter{PendingBefore: pending.Add(time.Hour)}); len(l) != 0 {
		t.Fatalf("delivered credential still listed as pending: %v", l)
	}
	must(t, s.UpdateCredential(ctx(t), "c-1", func(c *storage.Credential) error { c.Status = storage.StatusInvalid; return nil }, event("credential.revoke", "c-1")))
	want = append(want, "credential.revoke:c-1")

	// UpdateOffer and UpdateAccessToken likewise.
	err = s.UpdateOffer(ctx(t), "o-2", func(o *storage.Offer) error { o.ExpiresAt = t0; return boom }, event("offer.expire", "o-2"))
	if !errors.Is(err, boom) {
		t.Fatalf("offer update: %v", err)
	}
	err = s.UpdateAccessToken(ctx(t), taken.TokenHash, func(a *storage.AccessToken) error { a.CNonce = "x"; return boom }, event("token.update", "o-2"))
	if !errors.Is(err, boom) {
		t.Fatalf("token update: %v", err)
	}
	if a, _ := s.GetAccessToken(ctx(t), taken.TokenHash); a.CNonce != "" {
		t.Fatalf("token changed by a failed update: %+v", a)
	}
	must(t, s.UpdateOffer(ctx(t), "o-2", func(o *storage.Offer) error { o.ExpiresAt = t0; return nil }, event("offer.expire", "o-2")))
	must(t, s.UpdateAccessToken(ctx(t), taken.TokenHash, func(a *storage.AccessToken) error { a.CNonce = "x"; return nil }, event("token.update", "o-2")))
	want = append(want, "offer.expire:o-2", "token.update:o-2")
	check("updates")

	// Events of one write get consecutive Seqs in the order given.
	must(t, s.CreateHolder(ctx(t), storage.Holder{ID: "h-2", CreatedAt: t0}, event("a", "h-2"), event("b", "h-2")))
	want = append(want, "a:h-2", "b:h-2")
	check("two events")
	all, err := s.ListAudit(ctx(t), 0, storage.MaxLimit)
	must(t, err)
	for i := range all {
		if all[i].Seq != int64(i+1) {
			t.Fatalf("seq %d at %d: the log has a gap", all[i].Seq, i)
		}
	}
}

func eqFail(got, want []string) bool {
	for i := range got {
		if got[i] != want[i] {
			return true
		}
	}
	return false
}
