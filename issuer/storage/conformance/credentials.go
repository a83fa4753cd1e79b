package conformance

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

func testStatusLists(t *testing.T, s storage.Storage) {
	b := mustList(t, s, "list-b", 2, 1024)
	a := mustList(t, s, "list-a", 1, 16)
	got, err := s.GetStatusList(ctx(t), "list-b")
	must(t, err)
	if got.ID != b.ID || got.URI != b.URI || got.Bits != 2 || got.Size != 1024 {
		t.Fatalf("got %+v", got)
	}
	eqTime(t, "CreatedAt", got.CreatedAt, t0)
	all, err := s.ListStatusLists(ctx(t))
	must(t, err)
	eqStrings(t, "lists", ids(all, func(l storage.StatusList) string { return l.ID }), []string{a.ID, b.ID})

	wantErr(t, s.CreateStatusList(ctx(t), b), storage.ErrAlreadyExists)
	_, err = s.GetStatusList(ctx(t), "list-404")
	wantErr(t, err, storage.ErrNotFound)
	_, err = s.StatusEntries(ctx(t), "list-404")
	wantErr(t, err, storage.ErrNotFound)
	entries, err := s.StatusEntries(ctx(t), "list-a")
	must(t, err)
	if len(entries) != 0 {
		t.Fatalf("fresh list has entries %v", entries)
	}
}

func testIssueCredential(t *testing.T, s storage.Storage) {
	mustHolder(t, s, "holder-1")
	mustOffer(t, s, "holder-1", "offer-1")
	mustList(t, s, "list-1", 2, 64)

	in := newCred("cred-1", "holder-1", "offer-1", "list-1")
	in.Status = storage.StatusSuspended
	out, err := s.IssueCredential(ctx(t), in, storage.IssueOptions{})
	must(t, err)
	if out.StatusIndex < 0 || out.StatusIndex >= 64 {
		t.Fatalf("StatusIndex %d outside list", out.StatusIndex)
	}
	got, err := s.GetCredential(ctx(t), "cred-1")
	must(t, err)
	if got.ID != in.ID || got.HolderID != in.HolderID || got.OfferID != in.OfferID || got.VCT != in.VCT ||
		got.StatusListID != in.StatusListID || got.StatusIndex != out.StatusIndex || got.Status != storage.StatusSuspended ||
		got.HolderKeyThumbprint != in.HolderKeyThumbprint {
		t.Fatalf("got %+v, issued %+v", got, out)
	}
	eqTime(t, "IssuedAt", got.IssuedAt, in.IssuedAt)
	eqTime(t, "ExpiresAt", got.ExpiresAt, in.ExpiresAt)
	eqTime(t, "UpdatedAt", got.UpdatedAt, in.UpdatedAt)

	// Without an offer.
	noOffer, err := s.IssueCredential(ctx(t), newCred("cred-2", "holder-1", "", "list-1"), storage.IssueOptions{})
	must(t, err)
	if got, _ := s.GetCredential(ctx(t), "cred-2"); got.OfferID != "" || got.StatusIndex != noOffer.StatusIndex {
		t.Fatalf("got %+v", got)
	}

	// Failures consume no slot.
	tests := []struct {
		name string
		c    storage.Credential
		want error
	}{
		{"duplicate ID", newCred("cred-1", "holder-1", "offer-1", "list-1"), storage.ErrAlreadyExists},
		{"unknown list", newCred("cred-3", "holder-1", "offer-1", "list-404"), storage.ErrNotFound},
		{"unknown holder", newCred("cred-3", "holder-404", "offer-1", "list-1"), storage.ErrNotFound},
		{"unknown offer", newCred("cred-3", "holder-1", "offer-404", "list-1"), storage.ErrNotFound},
		{"status too wide for 2 bits", func() storage.Credential { c := newCred("cred-3", "holder-1", "", "list-1"); c.Status = 4; return c }(), storage.ErrInvalid},
	}
	for _, tc := range tests {
		_, err := s.IssueCredential(ctx(t), tc.c, storage.IssueOptions{})
		if !errors.Is(err, tc.want) {
			t.Fatalf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	entries, err := s.StatusEntries(ctx(t), "list-1")
	must(t, err)
	want := map[int]uint8{out.StatusIndex: storage.StatusSuspended, noOffer.StatusIndex: storage.StatusValid}
	if len(entries) != 2 {
		t.Fatalf("entries %v, want %v (failed issues must not use slots)", entries, want)
	}
	for i, e := range entries {
		if st, ok := want[e.Index]; !ok || st != e.Status || (i > 0 && entries[i-1].Index >= e.Index) {
			t.Fatalf("entries %v, want %v ascending", entries, want)
		}
	}
	_, err = s.GetCredential(ctx(t), "cred-404")
	wantErr(t, err, storage.ErrNotFound)

	// The failed issues did not leak slots from the ledger either: exactly 62 more fit.
	for i := range 62 {
		_, err := s.IssueCredential(ctx(t), newCred(fmt.Sprintf("fill-%02d", i), "holder-1", "", "list-1"), storage.IssueOptions{})
		must(t, err)
	}
	_, err = s.IssueCredential(ctx(t), newCred("fill-full", "holder-1", "", "list-1"), storage.IssueOptions{})
	wantErr(t, err, storage.ErrStatusListFull)
}

func testUpdateCredential(t *testing.T, s storage.Storage) {
	mustHolder(t, s, "holder-1")
	mustList(t, s, "list-1", 2, 32)
	mustList(t, s, "list-bit", 1, 32)
	c, err := s.IssueCredential(ctx(t), newCred("cred-1", "holder-1", "", "list-1"), storage.IssueOptions{})
	must(t, err)
	c1, err := s.IssueCredential(ctx(t), newCred("cred-bit", "holder-1", "", "list-bit"), storage.IssueOptions{})
	must(t, err)
	revokedAt := t0.Add(time.Hour)

	boom := errors.New("boom")
	wantErr(t, s.UpdateCredential(ctx(t), "cred-1", func(c *storage.Credential) error {
		c.Status, c.UpdatedAt = storage.StatusInvalid, revokedAt
		return boom
	}), boom)
	if got, _ := s.GetCredential(ctx(t), "cred-1"); got.Status != storage.StatusValid {
		t.Fatal("aborted update written")
	}

	for name, mutate := range map[string]func(*storage.Credential){
		"ID":           func(c *storage.Credential) { c.ID = "cred-x" },
		"HolderID":     func(c *storage.Credential) { c.HolderID = "holder-2" },
		"OfferID":      func(c *storage.Credential) { c.OfferID = "offer-2" },
		"StatusListID": func(c *storage.Credential) { c.StatusListID = "list-bit" },
		"StatusIndex":  func(c *storage.Credential) { c.StatusIndex = (c.StatusIndex + 1) % 32 },
	} {
		err := s.UpdateCredential(ctx(t), "cred-1", func(c *storage.Credential) error {
			mutate(c)
			c.Status = storage.StatusInvalid
			return nil
		})
		if !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("%s: err = %v, want ErrConflict", name, err)
		}
	}
	// A 1-bit list cannot hold SUSPENDED.
	wantErr(t, s.UpdateCredential(ctx(t), "cred-bit", func(c *storage.Credential) error {
		c.Status = storage.StatusSuspended
		return nil
	}), storage.ErrInvalid)
	wantErr(t, s.UpdateCredential(ctx(t), "cred-404", func(*storage.Credential) error { return nil }), storage.ErrNotFound)

	must(t, s.UpdateCredential(ctx(t), "cred-1", func(c *storage.Credential) error {
		c.Status, c.UpdatedAt = storage.StatusSuspended, revokedAt
		return nil
	}))
	must(t, s.UpdateCredential(ctx(t), "cred-bit", func(c *storage.Credential) error {
		c.Status = storage.StatusInvalid
		return nil
	}))
	got, err := s.GetCredential(ctx(t), "cred-1")
	must(t, err)
	if got.Status != storage.StatusSuspended || got.StatusIndex != c.StatusIndex {
		t.Fatalf("got %+v", got)
	}
	eqTime(t, "UpdatedAt", got.UpdatedAt, revokedAt)
	entries, err := s.StatusEntries(ctx(t), "list-bit")
	must(t, err)
	if len(entries) != 1 || entries[0] != (storage.StatusEntry{Index: c1.StatusIndex, Status: storage.StatusInvalid}) {
		t.Fatalf("entries %v", entries)
	}
}

func testListCredentials(t *testing.T, s storage.Storage) {
	mustHolder(t, s, "holder-1")
	mustHolder(t, s, "holder-2")
	mustList(t, s, "list-1", 2, 128)
	for i := range 12 {
		holder := []string{"holder-1", "holder-2"}[i%2]
		_, err := s.IssueCredential(ctx(t), newCred(fmt.Sprintf("cred-%02d", 11-i), holder, "", "list-1"), storage.IssueOptions{})
		must(t, err)
	}
	for _, id := range []string{"cred-03", "cred-06", "cred-09"} {
		must(t, s.UpdateCredential(ctx(t), id, func(c *storage.Credential) error {
			c.Status = storage.StatusInvalid
			return nil
		}))
	}
	revoked := storage.StatusInvalid
	valid := storage.StatusValid
	tests := []struct {
		name string
		f    storage.CredentialFilter
		want []string
	}{
		{"all", storage.CredentialFilter{}, []string{"cred-00", "cred-01", "cred-02", "cred-03", "cred-04", "cred-05", "cred-06", "cred-07", "cred-08", "cred-09", "cred-10", "cred-11"}},
		{"holder", storage.CredentialFilter{HolderID: "holder-1"}, []string{"cred-01", "cred-03", "cred-05", "cred-07", "cred-09", "cred-11"}},
		{"revoked", storage.CredentialFilter{Status: &revoked}, []string{"cred-03", "cred-06", "cred-09"}},
		{"holder and valid", storage.CredentialFilter{HolderID: "holder-2", Status: &valid}, []string{"cred-00", "cred-02", "cred-04", "cred-08", "cred-10"}},
		{"page", storage.CredentialFilter{Limit: 3, AfterID: "cred-04"}, []string{"cred-05", "cred-06", "cred-07"}},
		{"page with filter", storage.CredentialFilter{HolderID: "holder-1", Limit: 2, AfterID: "cred-03"}, []string{"cred-05", "cred-07"}},
		{"unknown holder", storage.CredentialFilter{HolderID: "holder-404"}, nil},
	}
	for _, tc := range tests {
		got, err := s.ListCredentials(ctx(t), tc.f)
		must(t, err)
		eqStrings(t, tc.name, ids(got, func(c storage.Credential) string { return c.ID }), tc.want)
	}
}

// testConcurrentIssue: 200 concurrent issues into a 256-slot list get distinct slots; the
// rest fill the list and then it reports full.
func testConcurrentIssue(t *testing.T, s storage.Storage) {
	const size, concurrent = 256, 200
	mustHolder(t, s, "holder-1")
	mustList(t, s, "list-1", 1, size)
	mustList(t, s, "list-2", 1, size)
	var wg sync.WaitGroup
	idx := make([]int, concurrent)
	errs := make([]error, concurrent)
	start := make(chan struct{})
	for i := range concurrent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := s.IssueCredential(ctx(t), newCred(fmt.Sprintf("cred-%03d", i), "holder-1", "", "list-1"), storage.IssueOptions{})
			idx[i], errs[i] = c.StatusIndex, err
		}()
	}
	close(start)
	wg.Wait()
	seen := map[int]string{}
	for i, err := range errs {
		must(t, err)
		if prev, dup := seen[idx[i]]; dup {
			t.Fatalf("slot %d given to %s and cred-%03d", idx[i], prev, i)
		}
		if idx[i] < 0 || idx[i] >= size {
			t.Fatalf("slot %d outside list", idx[i])
		}
		seen[idx[i]] = fmt.Sprintf("cred-%03d", i)
	}
	for i := concurrent; i < size; i++ {
		c, err := s.IssueCredential(ctx(t), newCred(fmt.Sprintf("cred-%03d", i), "holder-1", "", "list-1"), storage.IssueOptions{})
		must(t, err)
		if _, dup := seen[c.StatusIndex]; dup {
			t.Fatalf("slot %d reused", c.StatusIndex)
		}
		seen[c.StatusIndex] = c.ID
	}
	_, err := s.IssueCredential(ctx(t), newCred("cred-full", "holder-1", "", "list-1"), storage.IssueOptions{})
	wantErr(t, err, storage.ErrStatusListFull)
	wantErr(t, err, storage.ErrConflict)
	if _, err := s.GetCredential(ctx(t), "cred-full"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("credential stored although its list was full: %v", err)
	}
	entries, err := s.StatusEntries(ctx(t), "list-1")
	must(t, err)
	if len(entries) != size {
		t.Fatalf("%d entries, want %d", len(entries), size)
	}
	for i, e := range entries {
		if e.Index != i {
			t.Fatalf("entry %d has index %d", i, e.Index)
		}
	}
	// Revoking frees nothing: the list stays full, and the other list is unaffected.
	must(t, s.UpdateCredential(ctx(t), "cred-000", func(c *storage.Credential) error {
		c.Status = storage.StatusInvalid
		return nil
	}))
	_, err = s.IssueCredential(ctx(t), newCred("cred-after-revoke", "holder-1", "", "list-1"), storage.IssueOptions{})
	wantErr(t, err, storage.ErrStatusListFull)
	_, err = s.IssueCredential(ctx(t), newCred("cred-after-revoke", "holder-1", "", "list-2"), storage.IssueOptions{})
	must(t, err)
}
