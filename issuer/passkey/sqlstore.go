package passkey

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

// SQLStore is a Store in two tables of the issuer's own SQL database, so passkeys live
// beside the holders they belong to: NewSQLiteStore over a sqlite.Store, NewPostgresStore
// over a postgres.Store. Every write runs in one of that store's transactions, which also
// appends the write's audit events. Timestamps are Unix nanoseconds (UTC).
type SQLStore struct {
	db *sql.DB
	w  Database
	// numbered rewrites ? placeholders to $1, $2, ... (PostgreSQL).
	numbered bool
	// forUpdate locks the invite row read by RegisterCredential; SQLite's BEGIN IMMEDIATE
	// (the issuer's DSN) already holds the write lock.
	forUpdate string
}

var _ Store = (*SQLStore)(nil)

// schema is the tables in either dialect: %[1]s is the bytes type, %[2]s the
// auto-incrementing key.
const schema = `
CREATE TABLE IF NOT EXISTS passkey_invites (
	hash %[1]s PRIMARY KEY,
	holder_id TEXT NOT NULL,
	credential_types TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT
);
CREATE TABLE IF NOT EXISTS passkey_credentials (
	seq %[2]s,
	id %[1]s NOT NULL UNIQUE,
	holder_id TEXT NOT NULL,
	credential_types TEXT NOT NULL,
	sign_count BIGINT NOT NULL,
	record %[1]s NOT NULL,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT
);
CREATE INDEX IF NOT EXISTS passkey_credentials_holder ON passkey_credentials (holder_id, seq);
`

// pgSchemaLock is an arbitrary constant naming the advisory lock that serialises concurrent
// schema creation by several issuer processes on one PostgreSQL database.
const pgSchemaLock = 0x1d6a7e5702

// Database is the issuer's SQL store the passkey tables live in (sqlite.Store,
// postgres.Store): its pool, and its write transaction that appends audit events.
type Database interface {
	DB() *sql.DB
	WriteAudited(ctx context.Context, audit []storage.AuditEvent, fn func(tx *sql.Tx) error) error
}

// NewSQLiteStore creates the tables in the issuer's SQLite database if needed.
func NewSQLiteStore(ctx context.Context, st Database) (*SQLStore, error) {
	// SQLite's INTEGER PRIMARY KEY AUTOINCREMENT is the rowid; BIGINT columns have integer affinity.
	if _, err := st.DB().ExecContext(ctx, fmt.Sprintf(schema, "BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT")); err != nil {
		return nil, fmt.Errorf("passkey: sqlite schema: %w", err)
	}
	return &SQLStore{db: st.DB(), w: st}, nil
}

// NewPostgresStore creates the tables in the search_path of the issuer's PostgreSQL
// database if needed.
func NewPostgresStore(ctx context.Context, st Database) (_ *SQLStore, err error) {
	db := st.DB()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("passkey: postgres schema: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err = tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock("+strconv.Itoa(pgSchemaLock)+")"); err != nil {
		return nil, fmt.Errorf("passkey: postgres schema lock: %w", err)
	}
	for _, stmt := range strings.Split(fmt.Sprintf(schema, "BYTEA", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"), ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err = tx.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("passkey: postgres schema: %w", err)
		}
	}
	if err = tx.Commit(); err != nil {
		return nil, fmt.Errorf("passkey: postgres schema: %w", err)
	}
	return &SQLStore{db: db, w: st, numbered: true, forUpdate: " FOR UPDATE"}, nil
}

// q rewrites the ? placeholders of query for the store's dialect; queries here hold no ?
// inside string literals.
func (s *SQLStore) q(query string) string {
	if !s.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func nanos(t time.Time) int64 { return t.UTC().UnixNano() }

func fromNanos(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.Unix(0, n.Int64).UTC()
	return &t
}

func (s *SQLStore) CreateInvite(ctx context.Context, inv Invite, audit ...storage.AuditEvent) error {
	types, err := json.Marshal(inv.CredentialTypes)
	if err != nil {
		return err
	}
	return s.w.WriteAudited(ctx, audit, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO passkey_invites (hash, holder_id, credential_types, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`),
			inv.Hash, inv.HolderID, string(types), nanos(inv.CreatedAt), nanos(inv.ExpiresAt))
		if err != nil {
			return fmt.Errorf("passkey: create invite: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: invite exists", ErrConflict)
		}
		return nil
	})
}

type rowScanner interface{ Scan(dest ...any) error }

func scanInvite(r rowScanner) (Invite, error) {
	var (
		i            Invite
		types        string
		created, exp int64
		used         sql.NullInt64
	)
	if err := r.Scan(&i.Hash, &i.HolderID, &types, &created, &exp, &used); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Invite{}, fmt.Errorf("%w: invite", ErrNotFound)
		}
		return Invite{}, fmt.Errorf("passkey: read invite: %w", err)
	}
	if err := json.Unmarshal([]byte(types), &i.CredentialTypes); err != nil {
		return Invite{}, fmt.Errorf("passkey: invite types: %w", err)
	}
	i.CreatedAt, i.ExpiresAt, i.UsedAt = time.Unix(0, created).UTC(), time.Unix(0, exp).UTC(), fromNanos(used)
	return i, nil
}

const inviteCols = `hash, holder_id, credential_types, created_at, expires_at, used_at`

func (s *SQLStore) GetInvite(ctx context.Context, hash []byte) (Invite, error) {
	return scanInvite(s.db.QueryRowContext(ctx, s.q(`SELECT `+inviteCols+` FROM passkey_invites WHERE hash = ?`), hash))
}

func (s *SQLStore) RegisterCredential(ctx context.Context, inviteHash []byte, now time.Time, c Credential, audit ...storage.AuditEvent) error {
	types, err := json.Marshal(c.CredentialTypes)
	if err != nil {
		return err
	}
	// The invite read holds the write lock (SQLite: the issuer's DSN opens transactions with
	// BEGIN IMMEDIATE; PostgreSQL: FOR UPDATE), so two registrations cannot both consume it.
	return s.w.WriteAudited(ctx, audit, func(tx *sql.Tx) error {
		inv, err := scanInvite(tx.QueryRowContext(ctx, s.q(`SELECT `+inviteCols+` FROM passkey_invites WHERE hash = ?`+s.forUpdate), inviteHash))
		if err != nil {
			return err
		}
		if err = inviteUsable(inv, c.HolderID, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE passkey_invites SET used_at = ? WHERE hash = ? AND used_at IS NULL`), nanos(now), inviteHash)
		if err != nil {
			return fmt.Errorf("passkey: use invite: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: invite already used", ErrConflict)
		}
		res, err = tx.ExecContext(ctx, s.q(`INSERT INTO passkey_credentials (id, holder_id, credential_types, sign_count, record, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
			c.ID, c.HolderID, string(types), int64(c.SignCount), c.Record, nanos(c.CreatedAt))
		if err != nil {
			return fmt.Errorf("passkey: insert credential: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: credential exists", ErrConflict)
		}
		return nil
	})
}

const credCols = `id, holder_id, credential_types, sign_count, record, created_at, last_used_at`

func scanCred(r rowScanner) (Credential, error) {
	var (
		c       Credential
		types   string
		count   int64
		created int64
		used    sql.NullInt64
	)
	if err := r.Scan(&c.ID, &c.HolderID, &types, &count, &c.Record, &created, &used); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Credential{}, fmt.Errorf("%w: credential", ErrNotFound)
		}
		return Credential{}, fmt.Errorf("passkey: read credential: %w", err)
	}
	if err := json.Unmarshal([]byte(types), &c.CredentialTypes); err != nil {
		return Credential{}, fmt.Errorf("passkey: credential types: %w", err)
	}
	c.SignCount, c.CreatedAt, c.LastUsedAt = uint32(count), time.Unix(0, created).UTC(), fromNanos(used)
	return c, nil
}

func (s *SQLStore) GetCredential(ctx context.Context, id []byte) (Credential, error) {
	return scanCred(s.db.QueryRowContext(ctx, s.q(`SELECT `+credCols+` FROM passkey_credentials WHERE id = ?`), id))
}

func (s *SQLStore) ListCredentials(ctx context.Context, holderID string) ([]Credential, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+credCols+` FROM passkey_credentials WHERE holder_id = ? ORDER BY seq`), holderID)
	if err != nil {
		return nil, fmt.Errorf("passkey: list credentials: %w", err)
	}
	defer rows.Close()
	out := []Credential{}
	for rows.Next() {
		c, err := scanCred(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *SQLStore) UpdateSignCount(ctx context.Context, id []byte, prev, next uint32, at time.Time, audit ...storage.AuditEvent) error {
	return s.w.WriteAudited(ctx, audit, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE passkey_credentials SET sign_count = ?, last_used_at = ? WHERE id = ? AND sign_count = ?`),
			int64(next), nanos(at), id, int64(prev))
		if err != nil {
			return fmt.Errorf("passkey: update sign count: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		if _, err := scanCred(tx.QueryRowContext(ctx, s.q(`SELECT `+credCols+` FROM passkey_credentials WHERE id = ?`), id)); err != nil {
			return err
		}
		return fmt.Errorf("%w: sign count changed concurrently", ErrConflict)
	})
}
