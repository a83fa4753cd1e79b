package conformance

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

// testPortraits: a sealed portrait is created with its holder in one transaction, read back
// alone, its expiry updated, listed when expired, and deleted for good with its audit event.
func testPortraits(t *testing.T, s storage.Storage) {
	sealed := bytes.Repeat([]byte("sealed portrait "), 64)
	p := func(id string, exp time.Time) *storage.Portrait {
		return &storage.Portrait{HolderID: id, Sealed: sealed, ExpiresAt: exp}
	}
	// A portrait of another holder, empty or without expiry is refused, holder and all.
	for _, bad := range []*storage.Portrait{p("someone-else", t0), {HolderID: "h-p", ExpiresAt: t0}, {HolderID: "h-p", Sealed: sealed}} {
		wantErr(t, s.CreateHolder(ctx(t), storage.Holder{ID: "h-p", CreatedAt: t0, Portrait: bad}), storage.ErrInvalid)
		_, err := s.GetHolder(ctx(t), "h-p")
		wantErr(t, err, storage.ErrNotFound)
	}
	must(t, s.CreateHolder(ctx(t), storage.Holder{ID: "h-p", CreatedAt: t0, Portrait: p("h-p", t0.Add(time.Hour))}, event("holder.enrol", "h-p")))
	must(t, s.CreateHolder(ctx(t), storage.Holder{ID: "h-q", CreatedAt: t0, Portrait: p("h-q", t0.Add(2*time.Hour))}))
	mustHolder(t, s, "h-none")

	h, err := s.GetHolder(ctx(t), "h-p")
	must(t, err)
	if h.Portrait != nil {
		t.Fatal("GetHolder returned the portrait")
	}
	got, err := s.GetPortrait(ctx(t), "h-p")
	must(t, err)
	if got.HolderID != "h-p" || !bytes.Equal(got.Sealed, sealed) {
		t.Fatalf("portrait %q %d bytes", got.HolderID, len(got.Sealed))
	}
	eqTime(t, "ExpiresAt", got.ExpiresAt, t0.Add(time.Hour))
	got.Sealed[0] ^= 1 // the store keeps its own copy
	again, err := s.GetPortrait(ctx(t), "h-p")
	must(t, err)
	if !bytes.Equal(again.Sealed, sealed) {
		t.Fatal("returned portrait aliases stored data")
	}
	_, err = s.GetPortrait(ctx(t), "h-none")
	wantErr(t, err, storage.ErrNotFound)

	// Updates: the expiry moves; the holder is immutable; fn's error writes nothing.
	if got.CredentialID != "" {
		t.Fatalf("fresh portrait issued in %q", got.CredentialID)
	}
	must(t, s.UpdatePortrait(ctx(t), "h-p", func(p *storage.Portrait) error {
		p.ExpiresAt, p.CredentialID = t0.Add(3*time.Hour), "cred-1"
		return nil
	}, event("portrait.extend", "h-p")))
	wantErr(t, s.UpdatePortrait(ctx(t), "h-p", func(p *storage.Portrait) error { p.HolderID = "h-q"; return nil }), storage.ErrImmutableField)
	boom := errors.New("boom")
	if err := s.UpdatePortrait(ctx(t), "h-p", func(p *storage.Portrait) error { p.ExpiresAt = t0; return boom }); !errors.Is(err, boom) {
		t.Fatalf("updater error: %v", err)
	}
	wantErr(t, s.UpdatePortrait(ctx(t), "h-none", func(*storage.Portrait) error { return nil }), storage.ErrNotFound)
	got, err = s.GetPortrait(ctx(t), "h-p")
	must(t, err)
	eqTime(t, "ExpiresAt after update", got.ExpiresAt, t0.Add(3*time.Hour))
	if got.CredentialID != "cred-1" || !bytes.Equal(got.Sealed, sealed) {
		t.Fatalf("after update: credential %q, %d bytes", got.CredentialID, len(got.Sealed))
	}

	// Expired before t, ascending, bounded by limit.
	exp, err := s.ExpiredPortraits(ctx(t), t0.Add(150*time.Minute), 0)
	must(t, err)
	eqStrings(t, "expired at t0+150m", exp, []string{"h-q"})
	exp, err = s.ExpiredPortraits(ctx(t), t0.Add(4*time.Hour), 0)
	must(t, err)
	eqStrings(t, "expired at t0+4h", exp, []string{"h-p", "h-q"})
	exp, err = s.ExpiredPortraits(ctx(t), t0.Add(4*time.Hour), 1)
	must(t, err)
	eqStrings(t, "expired, limit 1", exp, []string{"h-p"})

	// Deletion: a refusing fn deletes nothing; then the portrait is gone, the holder stays,
	// and the event committed with it.
	if err := s.DeletePortrait(ctx(t), "h-p", func(storage.Portrait) error { return boom }, event("portrait.delete", "refused")); !errors.Is(err, boom) {
		t.Fatalf("delete refused by fn: %v", err)
	}
	_, err = s.GetPortrait(ctx(t), "h-p")
	must(t, err)
	wantErr(t, s.DeletePortrait(ctx(t), "h-p", nil, badEvent), storage.ErrInvalid)
	must(t, s.DeletePortrait(ctx(t), "h-p", func(p storage.Portrait) error {
		if !bytes.Equal(p.Sealed, sealed) {
			return errors.New("fn saw another portrait")
		}
		return nil
	}, event("portrait.delete", "h-p")))
	_, err = s.GetPortrait(ctx(t), "h-p")
	wantErr(t, err, storage.ErrNotFound)
	wantErr(t, s.DeletePortrait(ctx(t), "h-p", nil), storage.ErrNotFound)
	_, err = s.GetHolder(ctx(t), "h-p")
	must(t, err)
	exp, err = s.ExpiredPortraits(ctx(t), t0.Add(4*time.Hour), 0)
	must(t, err)
	eqStrings(t, "expired after delete", exp, []string{"h-q"})
	eqStrings(t, "audit", auditActions(t, s), []string{"holder.enrol:h-p", "portrait.extend:h-p", "portrait.delete:h-p"})
}
