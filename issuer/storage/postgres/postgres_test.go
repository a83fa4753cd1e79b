package postgres

import (
	"errors"
	"strings"
	"testing"

	"github.com/idgate/idgate/internal/pgtest"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/conformance"
	"github.com/idgate/idgate/issuer/storage/sqlstore"
)

// freshSchema is an empty schema of its own for one test (pgtest.FreshDSN).
func freshSchema(t testing.TB) string { return pgtest.FreshDSN(t, "idgate_test") }

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
