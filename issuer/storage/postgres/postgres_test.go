package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/conformance"
	"github.com/idgate/idgate/issuer/storage/sqlstore"
)

const dsnEnv = "IDGATE_TEST_POSTGRES_DSN"

// freshSchema creates an empty schema for one test, drops it afterwards, and returns a DSN
// whose search_path points at it.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(dsnEnv)
	if base == "" {
		t.Skipf("%s not set: run under scripts/with-postgres.sh to test against PostgreSQL", dsnEnv)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "idgate_test_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatalf("connect to %s: %v", dsnEnv, err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return base + " search_path=" + schema
}

func openT(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) storage.Storage { return openT(t, freshSchema(t)) })
}

func TestDurabilityAcrossReopen(t *testing.T) {
	dsn := freshSchema(t)
	conformance.RunDurability(t, func(t *testing.T) storage.Storage { return openT(t, dsn) })
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := freshSchema(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := Open(t.Context(), dsn)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	s := openT(t, dsn)
	var n, v int
	if err := s.DB().QueryRowContext(t.Context(), "SELECT COUNT(*), MAX(version) FROM schema_version").Scan(&n, &v); err != nil {
		t.Fatal(err)
	}
	if n != sqlstore.SchemaVersion || v != sqlstore.SchemaVersion {
		t.Fatalf("schema_version has %d rows, max %d; want %d", n, v, sqlstore.SchemaVersion)
	}
}

func TestSlotUniquenessIsEnforcedByTheDatabase(t *testing.T) {
	s := openT(t, freshSchema(t))
	ctx := t.Context()
	if err := s.CreateHolder(ctx, storage.Holder{ID: "h"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateStatusList(ctx, storage.StatusList{ID: "l", URI: "https://x/l", Bits: 1, Size: 4}); err != nil {
		t.Fatal(err)
	}
	c, err := s.IssueCredential(ctx, storage.Credential{ID: "c1", HolderID: "h", VCT: "v", StatusListID: "l"}, storage.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.DB().ExecContext(ctx, `INSERT INTO status_slots (status_list_id, status_index) VALUES ($1, $2)`, "l", c.StatusIndex)
	if classify(err) != sqlstore.ErrUnique {
		t.Fatalf("duplicate ledger row: %v", err)
	}
	_, err = s.DB().ExecContext(ctx, `INSERT INTO credentials (id, holder_id, vct, status_list_id, status_index, status, holder_key_thumbprint) VALUES ('c2', 'h', 'v', 'l', $1, 0, '')`, (c.StatusIndex+1)%4)
	if classify(err) != sqlstore.ErrForeignKey {
		t.Fatalf("credential without ledger row: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(t.Context(), "postgres://u:secret@[::1"); !errors.Is(err, storage.ErrInvalid) || strings.Contains(err.Error(), "secret") {
		t.Fatalf("malformed DSN: %v", err)
	}
}
