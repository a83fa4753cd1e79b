package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/conformance"
	"github.com/idgate/idgate/issuer/storage/sqlstore"
)

func openT(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) storage.Storage {
		return openT(t, filepath.Join(t.TempDir(), "issuer.db"))
	})
}

func TestDurabilityAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "issuer.db")
	conformance.RunDurability(t, func(t *testing.T) storage.Storage { return openT(t, path) })
}

func TestOpenSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "issuer.db")
	s := openT(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("database file mode %v, want 0600", fi.Mode().Perm())
	}
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "2"},
	}
	for _, tc := range tests {
		var got string
		if err := s.DB().QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
		}
	}
	var v int
	if err := s.DB().QueryRowContext(t.Context(), "SELECT MAX(version) FROM schema_version").Scan(&v); err != nil || v != sqlstore.SchemaVersion {
		t.Fatalf("schema_version = %d, %v; want %d", v, err, sqlstore.SchemaVersion)
	}
}

// TestSlotUniquenessIsEnforcedByTheDatabase: even bypassing the Go code, the schema refuses
// a second credential (or ledger row) on a used slot.
func TestSlotUniquenessIsEnforcedByTheDatabase(t *testing.T) {
	s := openT(t, filepath.Join(t.TempDir(), "issuer.db"))
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateHolder(ctx, storage.Holder{ID: "h"}))
	must(s.CreateStatusList(ctx, storage.StatusList{ID: "l", URI: "https://x/l", Bits: 1, Size: 4}))
	c, err := s.IssueCredential(ctx, storage.Credential{ID: "c1", HolderID: "h", VCT: "v", StatusListID: "l"}, storage.IssueOptions{})
	must(err)
	db := s.DB()
	_, err = db.ExecContext(ctx, `INSERT INTO status_slots (status_list_id, status_index) VALUES (?, ?)`, "l", c.StatusIndex)
	if classify(err) != sqlstore.ErrUnique {
		t.Fatalf("duplicate ledger row: %v", err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO credentials (id, holder_id, vct, status_list_id, status_index, status, holder_key_thumbprint) VALUES ('c2', 'h', 'v', 'l', ?, 0, '')`, c.StatusIndex)
	if classify(err) != sqlstore.ErrUnique {
		t.Fatalf("second credential on a used slot: %v", err)
	}
	// A credential on a slot missing from the ledger violates the foreign key.
	_, err = db.ExecContext(ctx, `INSERT INTO credentials (id, holder_id, vct, status_list_id, status_index, status, holder_key_thumbprint) VALUES ('c3', 'h', 'v', 'l', ?, 0, '')`, (c.StatusIndex+1)%4)
	if classify(err) != sqlstore.ErrForeignKey {
		t.Fatalf("credential without ledger row: %v", err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "issuer.db")
	s := openT(t, path)
	if _, err := s.DB().ExecContext(t.Context(), `INSERT INTO schema_version (version) VALUES (?)`, sqlstore.SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s2, err := Open(path); err == nil {
		s2.Close()
		t.Fatal("opened a database with a newer schema")
	}
}

func TestCorruptRowsFailClosed(t *testing.T) {
	s := openT(t, filepath.Join(t.TempDir(), "issuer.db"))
	ctx := t.Context()
	tests := []struct {
		name string
		sql  string
		read func(context.Context) error
	}{
		{"attributes not JSON", `INSERT INTO holders (id, attributes) VALUES ('bad', '{"a":')`,
			func(ctx context.Context) error { _, err := s.GetHolder(ctx, "bad"); return err }},
		{"attributes array", `INSERT INTO holders (id, attributes) VALUES ('arr', '[1]')`,
			func(ctx context.Context) error { _, err := s.ListHolders(ctx, 0, ""); return err }},
		{"details not strings", `INSERT INTO audit_events (seq, actor, action, subject, details) VALUES (1, '', 'a', '', '{"k":1}')`,
			func(ctx context.Context) error { _, err := s.ListAudit(ctx, 0, 0); return err }},
	}
	for _, tc := range tests {
		if _, err := s.DB().ExecContext(ctx, tc.sql); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := tc.read(ctx); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid (corrupt)", tc.name, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(""); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("empty path: %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing-dir", "x.db")); err == nil {
		t.Fatal("opened a file in a missing directory")
	}
	// A path with URI metacharacters is a plain file name.
	path := filepath.Join(t.TempDir(), "a?b#c%20.db")
	openT(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the literal path: %v", err)
	}
}

// TestTwoHandlesOneFile: two Stores on one file behave like two processes (no shared Go
// mutex): BEGIN IMMEDIATE plus the busy timeout still give concurrent redeemers of one offer
// a single winner and no SQLITE_BUSY errors.
func TestTwoHandlesOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "issuer.db")
	a, b := openT(t, path), openT(t, path)
	ctx := t.Context()
	if err := a.CreateHolder(ctx, storage.Holder{ID: "h"}); err != nil {
		t.Fatal(err)
	}
	errRedeemed := errors.New("redeemed")
	for round := range 3 {
		id := fmt.Sprintf("offer-%d", round)
		code := sha256.Sum256([]byte(id))
		if err := b.CreateOffer(ctx, storage.Offer{ID: id, HolderID: "h", CredentialType: storage.CredentialTypeMDL,
			PreAuthCodeHash: code[:], ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var winners atomic.Int32
		for i := range 8 {
			s := []*Store{a, b}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.UpdateOffer(ctx, id, func(o *storage.Offer) error {
					if o.RedeemedAt != nil {
						return errRedeemed
					}
					now := time.Now()
					o.RedeemedAt = &now
					return nil
				})
				switch {
				case err == nil:
					winners.Add(1)
				case !errors.Is(err, errRedeemed):
					t.Errorf("redeem: %v", err)
				}
			}()
		}
		wg.Wait()
		if n := winners.Load(); n != 1 {
			t.Fatalf("round %d: %d winners", round, n)
		}
	}
}

// TestMigratesVersion1: a database written before re-delivery (schema version 1: no token salt,
// no credential on the token, no pending delivery) opens, migrates and reads back its records
// with those fields empty.
func TestMigratesVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "issuer.db")
	ctx := t.Context()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// Turn the fresh file back into a version 1 file, then write rows as version 1 did.
	for _, q := range []string{
		`DROP TABLE holder_portraits`,
		`DROP INDEX credentials_pending`,
		`ALTER TABLE credentials DROP COLUMN pending_until`,
		`ALTER TABLE access_tokens DROP COLUMN credential_id`,
		`ALTER TABLE offers DROP COLUMN token_salt`,
		`DELETE FROM schema_version WHERE version > 1`,
		`INSERT INTO holders (id, attributes, created_at) VALUES ('h', '{}', 1)`,
		`INSERT INTO offers (id, holder_id, credential_type, pre_auth_code_hash, expires_at, redeemed_at) VALUES ('o', 'h', 'employee-id', zeroblob(32), 2, 1)`,
		`INSERT INTO access_tokens (token_hash, offer_id, c_nonce, expires_at, used_at) VALUES (zeroblob(32), 'o', '', 2, 1)`,
		`INSERT INTO status_lists (id, uri, bits, size, used) VALUES ('l', 'https://x/l', 2, 4, 1)`,
		`INSERT INTO status_slots (status_list_id, status_index) VALUES ('l', 3)`,
		`INSERT INTO credentials (id, holder_id, offer_id, vct, status_list_id, status_index, status, holder_key_thumbprint) VALUES ('c', 'h', 'o', 'v', 'l', 3, 0, 'k')`,
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()
	s = openT(t, path)
	o, err := s.GetOffer(ctx, "o")
	if err != nil || o.RedeemedAt == nil || o.TokenSalt != nil {
		t.Fatalf("offer after migration: %+v, %v", o, err)
	}
	tok, err := s.GetAccessToken(ctx, make([]byte, 32))
	if err != nil || tok.UsedAt == nil || tok.CredentialID != "" {
		t.Fatalf("token after migration: %+v, %v", tok, err)
	}
	c, err := s.GetCredential(ctx, "c")
	if err != nil || c.StatusIndex != 3 || c.PendingUntil != nil {
		t.Fatalf("credential after migration: %+v, %v", c, err)
	}
	if l, err := s.ListCredentials(ctx, storage.CredentialFilter{PendingBefore: time.Now()}); err != nil || len(l) != 0 {
		t.Fatalf("version 1 credentials listed as pending: %v, %v", l, err)
	}
	if _, err := s.GetPortrait(ctx, "h"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("version 1 holder's portrait: %v", err)
	}
}

// TestDeletedPortraitLeavesNoBytes: a deleted sealed portrait is overwritten in the database
// and its write-ahead log (secure_delete), not left in free pages for a copy of the file.
func TestDeletedPortraitLeavesNoBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "issuer.db")
	ctx := t.Context()
	s := openT(t, path)
	marker := bytes.Repeat([]byte("SEALED-PORTRAIT-MARKER."), 400)
	h := storage.Holder{ID: "h", CreatedAt: time.Now(), Portrait: &storage.Portrait{HolderID: "h", Sealed: marker, ExpiresAt: time.Now().Add(time.Hour)}}
	if err := s.CreateHolder(ctx, h); err != nil {
		t.Fatal(err)
	}
	found := func() bool {
		t.Helper()
		if _, err := s.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(f)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("SEALED-PORTRAIT-MARKER.SEALED-PORTRAIT-MARKER.")) {
				return true
			}
		}
		return false
	}
	if !found() {
		t.Fatal("the portrait is not in the database file: the check would prove nothing")
	}
	if err := s.DeletePortrait(ctx, "h", nil); err != nil {
		t.Fatal(err)
	}
	if found() {
		t.Fatal("the deleted portrait's bytes remain in the database file")
	}
}
