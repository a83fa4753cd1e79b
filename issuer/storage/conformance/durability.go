package conformance

import (
	"bytes"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

// RunDurability writes one record of every kind, closes the store, reopens the same
// database with open and reads everything back. open must return a store over the same
// database on every call (the suite closes each store itself).
func RunDurability(t *testing.T, open func(t *testing.T) storage.Storage) {
	s := open(t)
	mustHolder(t, s, "holder-1")
	o := mustOffer(t, s, "holder-1", "offer-1")
	tok := storage.AccessToken{TokenHash: hash(t), OfferID: "offer-1", CNonce: "n", ExpiresAt: t0.Add(time.Hour)}
	must(t, s.CreateAccessToken(ctx(t), tok))
	mustList(t, s, "list-1", 2, 16)
	c, err := s.IssueCredential(ctx(t), newCred("cred-1", "holder-1", "offer-1", "list-1"), storage.IssueOptions{})
	must(t, err)
	must(t, s.UpdateCredential(ctx(t), "cred-1", func(c *storage.Credential) error {
		c.Status = storage.StatusInvalid
		return nil
	}))
	op := storage.OperatorToken{Hash: hash(t), Name: "ops", CreatedAt: t0}
	must(t, s.CreateOperatorToken(ctx(t), op))
	seq, err := s.AppendAudit(ctx(t), storage.AuditEvent{Time: t0, Action: "credential.issue", Subject: "cred-1"})
	must(t, err)
	must(t, s.Close())

	s = open(t)
	defer s.Close()
	if h, err := s.GetHolder(ctx(t), "holder-1"); err != nil || h.Attributes["given_name"] != "Ada" {
		t.Fatalf("holder after reopen: %+v, %v", h, err)
	}
	if got, err := s.GetOfferByCodeHash(ctx(t), o.PreAuthCodeHash); err != nil || got.ID != "offer-1" {
		t.Fatalf("offer after reopen: %+v, %v", got, err)
	}
	if got, err := s.GetAccessToken(ctx(t), tok.TokenHash); err != nil || got.OfferID != "offer-1" {
		t.Fatalf("token after reopen: %+v, %v", got, err)
	}
	if got, err := s.GetCredential(ctx(t), "cred-1"); err != nil || got.StatusIndex != c.StatusIndex || got.Status != storage.StatusInvalid {
		t.Fatalf("credential after reopen: %+v, %v", got, err)
	}
	entries, err := s.StatusEntries(ctx(t), "list-1")
	must(t, err)
	if len(entries) != 1 || entries[0] != (storage.StatusEntry{Index: c.StatusIndex, Status: storage.StatusInvalid}) {
		t.Fatalf("entries after reopen: %v", entries)
	}
	if got, err := s.GetOperatorToken(ctx(t), op.Hash); err != nil || !bytes.Equal(got.Hash, op.Hash) {
		t.Fatalf("operator token after reopen: %+v, %v", got, err)
	}
	// The slot ledger survives: the next 15 issues fill the list without reusing c's slot.
	for i := range 15 {
		next, err := s.IssueCredential(ctx(t), newCred(string(rune('a'+i)), "holder-1", "", "list-1"), storage.IssueOptions{})
		must(t, err)
		if next.StatusIndex == c.StatusIndex {
			t.Fatal("slot reused after reopen")
		}
	}
	_, err = s.IssueCredential(ctx(t), newCred("one-too-many", "holder-1", "", "list-1"), storage.IssueOptions{})
	wantErr(t, err, storage.ErrStatusListFull)
	// Audit Seqs continue after reopen.
	next, err := s.AppendAudit(ctx(t), storage.AuditEvent{Time: t0, Action: "x"})
	must(t, err)
	if next <= seq {
		t.Fatalf("seq %d after reopen, previous %d", next, seq)
	}
}
