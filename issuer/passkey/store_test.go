package passkey

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/internal/pgtest"
	"github.com/idgate/idgate/issuer/storage/postgres"
	"github.com/idgate/idgate/issuer/storage/sqlite"
)

// stores runs the shared conformance suite over every Store implementation.
func stores(t *testing.T) map[string]func(t *testing.T) Store {
	return map[string]func(t *testing.T) Store{
		"memory": func(*testing.T) Store { return NewMemoryStore() },
		"sqlite": func(t *testing.T) Store {
			st, err := sqlite.Open(filepath.Join(t.TempDir(), "issuer.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return newSQL(t, NewSQLiteStore, st.DB())
		},
		"postgres": func(t *testing.T) Store {
			st, err := postgres.Open(t.Context(), pgtest.FreshDSN(t, "passkey_test"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return newSQL(t, NewPostgresStore, st.DB())
		},
	}
}

func newSQL(t *testing.T, open func(context.Context, *sql.DB) (*SQLStore, error), db *sql.DB) *SQLStore {
	s, err := open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreConformance(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) { storeConformance(t, open(t)) })
	}
}

func storeConformance(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 123).UTC()
	inv := Invite{Hash: hash("tok"), HolderID: "h1", CredentialTypes: []string{"mdl"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateInvite(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInvite(ctx, inv); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate invite: %v", err)
	}
	got, err := s.GetInvite(ctx, inv.Hash)
	if err != nil || got.HolderID != "h1" || got.UsedAt != nil || !got.ExpiresAt.Equal(inv.ExpiresAt) || len(got.CredentialTypes) != 1 {
		t.Fatalf("get invite: %+v %v", got, err)
	}
	if _, err := s.GetInvite(ctx, hash("nope")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown invite: %v", err)
	}
	cred := Credential{ID: []byte{1, 2, 3}, HolderID: "h1", CredentialTypes: []string{"mdl"}, SignCount: 0, Record: []byte(`{}`), CreatedAt: now}

	// Consumption rules: every failure leaves nothing written.
	for _, tc := range []struct {
		name   string
		hash   []byte
		now    time.Time
		holder string
		want   error
	}{
		{"unknown invite", hash("nope"), now, "h1", ErrNotFound},
		{"expired", inv.Hash, now.Add(time.Hour), "h1", ErrConflict},
		{"other holder", inv.Hash, now, "h2", ErrConflict},
	} {
		c := cred
		c.HolderID = tc.holder
		if err := s.RegisterCredential(ctx, tc.hash, tc.now, c); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := s.GetCredential(ctx, cred.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("failed registration wrote a credential: %v", err)
	}
	if err := s.RegisterCredential(ctx, inv.Hash, now, cred); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetInvite(ctx, inv.Hash); got.UsedAt == nil || !got.UsedAt.Equal(now) {
		t.Fatalf("invite not marked used: %+v", got)
	}
	if err := s.RegisterCredential(ctx, inv.Hash, now, Credential{ID: []byte{9}, HolderID: "h1", Record: []byte(`{}`)}); !errors.Is(err, ErrConflict) {
		t.Fatalf("second use of invite: %v", err)
	}
	// Duplicate credential id through a fresh invite: conflict, and the invite stays unused.
	inv2 := Invite{Hash: hash("tok2"), HolderID: "h1", CredentialTypes: []string{"mdl"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateInvite(ctx, inv2); err != nil {
		t.Fatal(err)
	}
	if err := s.RegisterCredential(ctx, inv2.Hash, now, cred); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate credential: %v", err)
	}
	if got, _ := s.GetInvite(ctx, inv2.Hash); got.UsedAt != nil {
		t.Fatal("failed registration consumed the invite")
	}
	second := Credential{ID: []byte{4}, HolderID: "h1", Record: []byte(`{"a":1}`), CreatedAt: now}
	if err := s.RegisterCredential(ctx, inv2.Hash, now, second); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListCredentials(ctx, "h1")
	if err != nil || len(list) != 2 || string(list[0].ID) != string(cred.ID) || string(list[1].Record) != `{"a":1}` {
		t.Fatalf("list: %+v %v", list, err)
	}
	if list, err := s.ListCredentials(ctx, "h2"); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("empty list: %#v %v", list, err)
	}

	// Sign counter compare-and-swap.
	if err := s.UpdateSignCount(ctx, cred.ID, 0, 5, now); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateSignCount(ctx, cred.ID, 0, 6, now); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale prev: %v", err)
	}
	if err := s.UpdateSignCount(ctx, []byte("x"), 0, 1, now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown credential: %v", err)
	}
	c, err := s.GetCredential(ctx, cred.ID)
	if err != nil || c.SignCount != 5 || c.LastUsedAt == nil || !c.LastUsedAt.Equal(now) {
		t.Fatalf("after update: %+v %v", c, err)
	}

	// Concurrent consumers of one invite: exactly one wins.
	inv3 := Invite{Hash: hash("tok3"), HolderID: "h3", CredentialTypes: []string{"mdl"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateInvite(ctx, inv3); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.RegisterCredential(ctx, inv3.Hash, now, Credential{ID: []byte{0x30, byte(i)}, HolderID: "h3", Record: []byte(`{}`), CreatedAt: now})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, ErrConflict) {
			t.Fatalf("concurrent register: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent registrations consumed one invite", ok)
	}
}
