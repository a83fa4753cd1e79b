// Package postgres is the vpstore.Store on PostgreSQL, for several verifier instances behind a
// load balancer: a transaction created on one is answered and read on any other. Create
// serialises per client network (vpstore.Network) with a transaction-scoped advisory lock, so
// the per-client and per-network bounds hold across instances; Update locks the row (SELECT … FOR UPDATE), so a transaction moves
// on once.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/idgate/idgate/verifier/vpstore"
)

const schema = `
CREATE TABLE IF NOT EXISTS vp_transactions (
	id         TEXT PRIMARY KEY,
	client     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	status     TEXT NOT NULL,
	data       BYTEA NOT NULL,
	network    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS vp_transactions_client ON vp_transactions (client, status, expires_at);
CREATE INDEX IF NOT EXISTS vp_transactions_expiry ON vp_transactions (expires_at);`

// A table made before the client's network (vpstore.Network) was kept gains the column (its
// rows, which live minutes, count for no network). The check keeps ALTER TABLE, which locks
// the table, off an ordinary Open.
const (
	hasNetwork = `SELECT COUNT(*) FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'vp_transactions' AND column_name = 'network'`
	addNetwork   = `ALTER TABLE vp_transactions ADD COLUMN IF NOT EXISTS network TEXT NOT NULL DEFAULT ''`
	networkIndex = `CREATE INDEX IF NOT EXISTS vp_transactions_network ON vp_transactions (network, status, expires_at)`
)

// Store is a vpstore.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// Open connects with dsn (libpq URL or key=value; tables go into the first schema of its
// search_path) and creates the table. Errors never carry the DSN.
func Open(ctx context.Context, dsn string, now func() time.Time) (*Store, error) {
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("vpstore/postgres: malformed DSN")
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("vpstore/postgres: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("vpstore/postgres: schema at %s:%d: %w", pc.ConnConfig.Host, pc.ConnConfig.Port, err)
	}
	if now == nil {
		now = time.Now
	}
	return &Store{pool: pool, now: now}, nil
}

func (s *Store) Close() error { s.pool.Close(); return nil }

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, schema); err != nil {
		return err
	}
	var n int
	if err := pool.QueryRow(ctx, hasNetwork).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		if _, err := pool.Exec(ctx, addNetwork); err != nil {
			return err
		}
	}
	_, err := pool.Exec(ctx, networkIndex)
	return err
}

func (s *Store) Create(ctx context.Context, t vpstore.Transaction, perClient int) error {
	t.Status = vpstore.StatusPending
	if err := t.Validate(); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		net := vpstore.Network(t.Client)
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7301))`, net); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM vp_transactions WHERE client = $1 AND status = $2 AND expires_at > $3`,
			t.Client, string(vpstore.StatusPending), s.now().UnixMicro()).Scan(&open); err != nil {
			return err
		}
		if open >= perClient {
			return vpstore.ErrClientLimit
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM vp_transactions WHERE network = $1 AND status = $2 AND expires_at > $3`,
			net, string(vpstore.StatusPending), s.now().UnixMicro()).Scan(&open); err != nil {
			return err
		}
		if open >= perClient*vpstore.NetworkShare {
			return vpstore.ErrNetworkLimit
		}
		tag, err := tx.Exec(ctx, `INSERT INTO vp_transactions (id, client, created_at, expires_at, status, data, network)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
			t.ID, t.Client, t.CreatedAt.UnixMicro(), t.ExpiresAt.UnixMicro(), string(t.Status), nonNil(t.Data), net)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return vpstore.ErrExists
		}
		return nil
	})
}

const selectTx = `SELECT id, client, created_at, expires_at, status, data FROM vp_transactions WHERE id = $1`

func scan(row pgx.Row) (vpstore.Transaction, error) {
	var t vpstore.Transaction
	var created, expires int64
	var status string
	if err := row.Scan(&t.ID, &t.Client, &created, &expires, &status, &t.Data); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return t, vpstore.ErrNotFound
		}
		return t, err
	}
	t.CreatedAt, t.ExpiresAt, t.Status = time.UnixMicro(created), time.UnixMicro(expires), vpstore.Status(status)
	return t, nil
}

func (s *Store) Get(ctx context.Context, id string) (vpstore.Transaction, error) {
	return scan(s.pool.QueryRow(ctx, selectTx, id))
}

func (s *Store) Update(ctx context.Context, id string, fn func(*vpstore.Transaction) error) (vpstore.Transaction, error) {
	var out vpstore.Transaction
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := scan(tx.QueryRow(ctx, selectTx+` FOR UPDATE`, id))
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
		if _, err := tx.Exec(ctx, `UPDATE vp_transactions SET status = $1, data = $2 WHERE id = $3`, string(next.Status), nonNil(next.Data), id); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

func (s *Store) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM vp_transactions WHERE expires_at < $1`, before.UnixMicro())
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
