package passkey

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/internal/pgtest"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/issuer/storage/postgres"
	"github.com/idgate/idgate/issuer/storage/sqlite"
)

// stores runs the shared conformance suite over every Store implementation, each beside the
// issuer store whose audit log it appends to.
func stores(t *testing.T) map[string]func(t *testing.T) (Store, storage.Storage) {
	return map[string]func(t *testing.T) (Store, storage.Storage){
		"memory": func(*testing.T) (Store, storage.Storage) {
			st := memory.New()
			return NewMemoryStore(st), st
		},
		"sqlite": func(t *testing.T) (Store, storage.Storage) {
			st, err := sqlite.Open(filepath.Join(t.TempDir(), "issuer.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return newSQL(t, NewSQLiteStore, st), st
		},
		"postgres": func(t *testing.T) (Store, storage.Storage) {
			st, err := postgres.Open(t.Context(), pgtest.FreshDSN(t, "passkey_test"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return newSQL(t, NewPostgresStore, st), st
		},
	}
}

func newSQL(t *testing.T, open func(context.Context, Database) (*SQLStore, error), db Database) *SQLStore {
	s, err := open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreConformance(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s, log := open(t)
			storeConformance(t, s, log)
		})
	}
}

// auditTrail checks that the log holds exactly want (actions, in order) and returns it.
func auditTrail(t *testing.T, log storage.Storage, want ...string) {
	t.Helper()
	evs, err := log.ListAudit(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(evs))
	for i, e := range evs {
		got[i] = e.Action
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit log %v, want %v", got, want)
	}
}

func storeConformance(t *testing.T, s Store, log storage.Storage) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 123).UTC()
	ev := func(action string) storage.AuditEvent {
		return storage.AuditEvent{Time: now, Actor: "holder", Action: action, Subject: "h1", Details: map[string]string{"credential": "ab12"}}
	}
	bad := storage.AuditEvent{Time: now, Actor: "holder"} // no action: storage.ErrInvalid
	inv := Invite{Hash: hash("tok"), HolderID: "h1", CredentialTypes: []string{"mdl"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	// Each write and its audit event commit together or not at all.
	if err := s.CreateInvite(ctx, inv, bad); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("invite with an invalid event: %v", err)
	}
	if _, err := s.GetInvite(ctx, inv.Hash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("invite written without its event: %v", err)
	}
	if err := s.CreateInvite(ctx, inv, ev("passkey.invite")); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInvite(ctx, inv, ev("passkey.invite")); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate invite: %v", err)
	}
	auditTrail(t, log, "passkey.invite")
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
		if err := s.RegisterCredential(ctx, tc.hash, tc.now, c, ev("passkey.register")); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := s.RegisterCredential(ctx, inv.Hash, now, cred, bad); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("registration with an invalid event: %v", err)
	}
	if _, err := s.GetCredential(ctx, cred.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("failed registration wrote a credential: %v", err)
	}
	if got, _ := s.GetInvite(ctx, inv.Hash); got.UsedAt != nil {
		t.Fatal("failed registration consumed the invite")
	}
	auditTrail(t, log, "passkey.invite")
	if err := s.RegisterCredential(ctx, inv.Hash, now, cred, ev("passkey.register")); err != nil {
		t.Fatal(err)
	}
	auditTrail(t, log, "passkey.invite", "passkey.register")
	if got, _ := s.GetInvite(ctx, inv.Hash); got.UsedAt == nil || !got.UsedAt.Equal(now) {
		t.Fatalf("invite not marked used: %+v", got)
	}
	if err := s.RegisterCredential(ctx, inv.Hash, now, Credential{ID: []byte{9}, HolderID: "h1", Record: []byte(`{}`)}, ev("passkey.register")); !errors.Is(err, ErrConflict) {
		t.Fatalf("second use of invite: %v", err)
	}
	// Duplicate credential id through a fresh invite: conflict, and the invite stays unused.
	inv2 := Invite{Hash: hash("tok2"), HolderID: "h1", CredentialTypes: []string{"mdl"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateInvite(ctx, inv2, ev("passkey.invite")); err != nil {
		t.Fatal(err)
	}
	if err := s.RegisterCredential(ctx, inv2.Hash, now, cred, ev("passkey.register")); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate credential: %v", err)
	}
	if got, _ := s.GetInvite(ctx, inv2.Hash); got.UsedAt != nil {
		t.Fatal("failed registration consumed the invite")
	}
	second := Credential{ID: []byte{4}, HolderID: "h1", Record: []byte(`{"a":1}`), CreatedAt: now}
	if err := s.RegisterCredential(ctx, inv2.Hash, now, second); err != nil { // no event: none written
		t.Fatal(err)
	}
	auditTrail(t, log, "passkey.invite", "passkey.register", "passkey.invite")
	list, err := s.ListCredentials(ctx, "h1")
	if err != nil || len(list) != 2 || string(list[0].ID) != string(cred.ID) || string(list[1].Record) != `{"a":1}` {
		t.Fatalf("list: %+v %v", list, err)
	}
	if list, err := s.ListCredentials(ctx, "h2"); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("empty list: %#v %v", list, err)
	}

	// Sign counter compare-and-swap.
	if err := s.UpdateSignCount(ctx, cred.ID, 0, 5, now, bad); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("login with an invalid event: %v", err)
	}
	if c, _ := s.GetCredential(ctx, cred.ID); c.SignCount != 0 || c.LastUsedAt != nil {
		t.Fatalf("counter moved without its event: %+v", c)
	}
	if err := s.UpdateSignCount(ctx, cred.ID, 0, 5, now, ev("passkey.login")); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateSignCount(ctx, cred.ID, 0, 6, now, ev("passkey.login")); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale prev: %v", err)
	}
	if err := s.UpdateSignCount(ctx, []byte("x"), 0, 1, now, ev("passkey.login")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown credential: %v", err)
	}
	auditTrail(t, log, "passkey.invite", "passkey.register", "passkey.invite", "passkey.login")
	c, err := s.GetCredential(ctx, cred.ID)
	if err != nil || c.SignCount != 5 || c.LastUsedAt == nil || !c.LastUsedAt.Equal(now) {
		t.Fatalf("after update: %+v %v", c, err)
	}

	// Concurrent consumers of one invite: exactly one wins.
	inv3 := Invite{Hash: hash("tok3"), HolderID: "h3", CredentialTypes: []string{"mdl"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateInvite(ctx, inv3); err != nil { // no event: none written
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.RegisterCredential(ctx, inv3.Hash, now, Credential{ID: []byte{0x30, byte(i)}, HolderID: "h3", Record: []byte(`{}`), CreatedAt: now}, ev("passkey.register"))
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
	auditTrail(t, log, "passkey.invite", "passkey.register", "passkey.invite", "passkey.login", "passkey.register")
}
