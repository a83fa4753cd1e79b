package passkey

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// SQLiteStore is a Store in two tables of an SQLite database; the issuer passes its own
// *sql.DB (sqlite.Store.DB()), so passkeys live in the same file as holders. Only SQLite
// syntax is used. Timestamps are Unix nanoseconds (UTC).
type SQLiteStore struct {
	db *sql.DB
}

var _ Store = (*SQLiteStore)(nil)

const sqliteSchema = `
CREATE TABLE IF NOT EXISTS passkey_invites (
	hash BLOB PRIMARY KEY,
	holder_id TEXT NOT NULL,
	credential_types TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER
);
CREATE TABLE IF NOT EXISTS passkey_credentials (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id BLOB NOT NULL UNIQUE,
	holder_id TEXT NOT NULL,
	credential_types TEXT NOT NULL,
	sign_count INTEGER NOT NULL,
	record BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	last_used_at INTEGER
);
CREATE INDEX IF NOT EXISTS passkey_credentials_holder ON passkey_credentials (holder_id, seq);
`

// NewSQLiteStore creates the tables if needed.
func NewSQLiteStore(ctx context.Context, db *sql.DB) (*SQLiteStore, error) {
	if _, err := db.ExecContext(ctx, sqliteSchema); err != nil {
		return nil, fmt.Errorf("passkey: sqlite schema: %w", err)
	}
	return &SQLiteStore{db: db}, nil
}

func nanos(t time.Time) int64 { return t.UTC().UnixNano() }

func fromNanos(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.Unix(0, n.Int64).UTC()
	return &t
}

func (s *SQLiteStore) CreateInvite(ctx context.Context, inv Invite) error {
	types, err := json.Marshal(inv.CredentialTypes)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO passkey_invites (hash, holder_id, credential_types, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
		inv.Hash, inv.HolderID, string(types), nanos(inv.CreatedAt), nanos(inv.ExpiresAt))
	if err != nil {
		return fmt.Errorf("passkey: create invite: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: invite exists", ErrConflict)
	}
	return nil
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

func (s *SQLiteStore) GetInvite(ctx context.Context, hash []byte) (Invite, error) {
	return scanInvite(s.db.QueryRowContext(ctx, `SELECT `+inviteCols+` FROM passkey_invites WHERE hash = ?`, hash))
}

func (s *SQLiteStore) RegisterCredential(ctx context.Context, inviteHash []byte, now time.Time, c Credential) (err error) {
	types, err := json.Marshal(c.CredentialTypes)
	if err != nil {
		return err
	}
	// The issuer's DSN opens transactions with BEGIN IMMEDIATE, so the invite read below
	// already holds the write lock and two registrations cannot both consume it.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("passkey: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	inv, err := scanInvite(tx.QueryRowContext(ctx, `SELECT `+inviteCols+` FROM passkey_invites WHERE hash = ?`, inviteHash))
	if err != nil {
		return err
	}
	if err = inviteUsable(inv, c.HolderID, now); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE passkey_invites SET used_at = ? WHERE hash = ? AND used_at IS NULL`, nanos(now), inviteHash)
	if err != nil {
		return fmt.Errorf("passkey: use invite: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("%w: invite already used", ErrConflict)
	}
	res, err = tx.ExecContext(ctx, `INSERT INTO passkey_credentials (id, holder_id, credential_types, sign_count, record, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		c.ID, c.HolderID, string(types), int64(c.SignCount), c.Record, nanos(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("passkey: insert credential: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("%w: credential exists", ErrConflict)
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("passkey: commit: %w", err)
	}
	return nil
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

func (s *SQLiteStore) GetCredential(ctx context.Context, id []byte) (Credential, error) {
	return scanCred(s.db.QueryRowContext(ctx, `SELECT `+credCols+` FROM passkey_credentials WHERE id = ?`, id))
}

func (s *SQLiteStore) ListCredentials(ctx context.Context, holderID string) ([]Credential, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+credCols+` FROM passkey_credentials WHERE holder_id = ? ORDER BY seq`, holderID)
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

func (s *SQLiteStore) UpdateSignCount(ctx context.Context, id []byte, prev, next uint32, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE passkey_credentials SET sign_count = ?, last_used_at = ? WHERE id = ? AND sign_count = ?`,
		int64(next), nanos(at), id, int64(prev))
	if err != nil {
		return fmt.Errorf("passkey: update sign count: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	if _, err := s.GetCredential(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("%w: sign count changed concurrently", ErrConflict)
}
