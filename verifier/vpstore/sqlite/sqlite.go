// Package sqlite is the vpstore.Store on a SQLite file: one verifier instance whose
// transactions survive a restart. Several processes may open the same file; writes are
// serialised by SQLite (every transaction begins IMMEDIATE).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/idgate/idgate/verifier/vpstore"
)

const schema = `
CREATE TABLE IF NOT EXISTS vp_transactions (
	id         TEXT PRIMARY KEY,
	client     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	status     TEXT NOT NULL,
	data       BLOB NOT NULL,
	network    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS vp_transactions_client ON vp_transactions (client, status, expires_at);
CREATE INDEX IF NOT EXISTS vp_transactions_expiry ON vp_transactions (expires_at);`

// networkColumn adds the client's network (vpstore.Network) to a file made before it had one;
// its rows, which live minutes, count for no network. Then the column's index.
const (
	hasNetwork   = `SELECT COUNT(*) FROM pragma_table_info('vp_transactions') WHERE name = 'network'`
	addNetwork   = `ALTER TABLE vp_transactions ADD COLUMN network TEXT NOT NULL DEFAULT ''`
	networkIndex = `CREATE INDEX IF NOT EXISTS vp_transactions_network ON vp_transactions (network, status, expires_at)`
)

// Store is a vpstore.Store on SQLite.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

// Open opens (creating) the database file at path; now (default time.Now) decides which
// transactions are open.
func Open(path string, now func() time.Time) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	if err := migrate(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("vpstore/sqlite: schema: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}, nil
}

func (s *Store) Close() error { return s.db.Close() }

func migrate(db *sql.DB) error {
	if _, err := db.Exec(schema); err != nil {
		return err
	}
	var n int
	if err := db.QueryRow(hasNetwork).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		if _, err := db.Exec(addNetwork); err != nil {
			return err
		}
	}
	_, err := db.Exec(networkIndex)
	return err
}

func (s *Store) Create(ctx context.Context, t vpstore.Transaction, perClient int) error {
	t.Status = vpstore.StatusPending
	if err := t.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM vp_transactions WHERE id = ?`, t.ID).Scan(&exists); err != nil {
			return err
		}
		if exists > 0 {
			return vpstore.ErrExists
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM vp_transactions WHERE client = ? AND status = ? AND expires_at > ?`,
			t.Client, vpstore.StatusPending, s.now().UnixMicro()).Scan(&open); err != nil {
			return err
		}
		if open >= perClient {
			return vpstore.ErrClientLimit
		}
		net := vpstore.Network(t.Client)
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM vp_transactions WHERE network = ? AND status = ? AND expires_at > ?`,
			net, vpstore.StatusPending, s.now().UnixMicro()).Scan(&open); err != nil {
			return err
		}
		if open >= perClient*vpstore.NetworkShare {
			return vpstore.ErrNetworkLimit
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO vp_transactions (id, client, created_at, expires_at, status, data, network) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.Client, t.CreatedAt.UnixMicro(), t.ExpiresAt.UnixMicro(), string(t.Status), nonNil(t.Data), net)
		return err
	})
}

func (s *Store) Get(ctx context.Context, id string) (vpstore.Transaction, error) {
	return get(ctx, s.db.QueryRowContext(ctx, selectTx, id))
}

const selectTx = `SELECT id, client, created_at, expires_at, status, data FROM vp_transactions WHERE id = ?`

func get(_ context.Context, row *sql.Row) (vpstore.Transaction, error) {
	var t vpstore.Transaction
	var created, expires int64
	var status string
	if err := row.Scan(&t.ID, &t.Client, &created, &expires, &status, &t.Data); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return t, vpstore.ErrNotFound
		}
		return t, err
	}
	t.CreatedAt, t.ExpiresAt, t.Status = time.UnixMicro(created), time.UnixMicro(expires), vpstore.Status(status)
	return t, nil
}

func (s *Store) Update(ctx context.Context, id string, fn func(*vpstore.Transaction) error) (vpstore.Transaction, error) {
	var out vpstore.Transaction
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := get(ctx, tx.QueryRowContext(ctx, selectTx, id))
		if err != nil {
			return err
		}
		next := cur
		next.Data = append([]byte(nil), cur.Data...)
		if err := fn(&next); err != nil {
			return err
		}
		if err := vpstore.CheckUpdate(&cur, &next); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE vp_transactions SET status = ?, data = ? WHERE id = ?`, string(next.Status), nonNil(next.Data), id); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

func (s *Store) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM vp_transactions WHERE expires_at < ?`, before.UnixMicro())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// inTx runs fn in one IMMEDIATE transaction and commits, or rolls back on any error.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
