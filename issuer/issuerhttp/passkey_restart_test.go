package issuerhttp

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/idgate/idgate/internal/pgtest"
	"github.com/idgate/idgate/issuer/passkey"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/issuer/storage/postgres"
	"github.com/idgate/idgate/issuer/storage/sqlite"
)

// passkeyBackend opens the issuer's store and the passkey store beside it, as cmd/idgate
// does; each call on one backend reopens the same database.
type passkeyBackend func(t *testing.T) (storage.Storage, passkey.Store)

// passkeyBackends are memory, SQLite and PostgreSQL (the latter under scripts/with-postgres.sh).
func passkeyBackends() map[string]passkeyBackend {
	return map[string]passkeyBackend{
		"memory": func(*testing.T) (storage.Storage, passkey.Store) {
			st := memory.New()
			return st, passkey.NewMemoryStore(st)
		},
		"sqlite":   persistentSQLite(),
		"postgres": persistentPostgres(),
	}
}

// persistentSQLite opens one SQLite file per test, however often it is called.
func persistentSQLite() passkeyBackend {
	paths := map[*testing.T]string{}
	return func(t *testing.T) (storage.Storage, passkey.Store) {
		if paths[t] == "" {
			paths[t] = filepath.Join(t.TempDir(), "issuer.db")
		}
		st, err := sqlite.Open(paths[t])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		pk, err := passkey.NewSQLiteStore(t.Context(), st)
		if err != nil {
			t.Fatal(err)
		}
		return st, pk
	}
}

// persistentPostgres opens one PostgreSQL schema per test, however often it is called.
func persistentPostgres() passkeyBackend {
	dsns := map[*testing.T]string{}
	return func(t *testing.T) (storage.Storage, passkey.Store) {
		if dsns[t] == "" {
			dsns[t] = pgtest.FreshDSN(t, "issuer_passkey_test")
		}
		st, err := postgres.Open(t.Context(), dsns[t])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		pk, err := passkey.NewPostgresStore(t.Context(), st)
		if err != nil {
			t.Fatal(err)
		}
		return st, pk
	}
}

// A registered passkey lives in the issuer's database: after a restart on the same database
// the holder signs in with it and collects their offers.
func TestPasskeyKeptAcrossRestart(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		open := passkeyBackends()[name]
		t.Run(name, func(t *testing.T) {
			store, passkeys := open(t)
			f, restart := newPasskeyFixtureOn(t, store, passkeys, "localhost")
			a := f.registerPasskey(f.invite(f.enrol(), `["mdl"]`))
			if err := store.Close(); err != nil {
				t.Fatal(err)
			}
			restart(open(t))
			st, r := f.collect(a)
			if offers := offersOf(t, r); st != http.StatusOK || len(offers) != 1 || offers[0]["credential_type"] != "mdl" {
				t.Fatalf("login after restart: %d %v", st, r)
			}
		})
	}
}
