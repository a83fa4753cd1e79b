package pgstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults of Config.
const (
	// DefaultMaxConns bounds the pool, well below PostgreSQL's default max_connections of 100
	// (several instances share them).
	DefaultMaxConns = 16
	// DefaultMarkTimeout bounds how long a MarkBoarded already sent waits for its outcome
	// after the caller's context ended.
	DefaultMarkTimeout = 5 * time.Second
)

// Config configures Open.
type Config struct {
	// DSN is a libpq connection URL (postgres://, postgresql://) or key=value string. The
	// tables go into the first schema of its search_path.
	DSN string
	// MaxConns caps the pool (0: DefaultMaxConns).
	MaxConns int32
	// MarkTimeout: see DefaultMarkTimeout (0: the default).
	MarkTimeout time.Duration
}

// Store is a gate.Store on a PostgreSQL database; safe for concurrent use, and for several
// Stores (instances) on one database.
type Store struct {
	pool        *pgxpool.Pool
	markTimeout time.Duration
	puts        atomic.Uint64 // PutNonce calls, for the expired-nonce sweep
}

// Open connects, checks the connection and creates or checks the schema. Every error is an
// *Error; a malformed DSN is ErrInvalidDSN, a newer schema ErrSchemaTooNew. No error carries
// the DSN's password.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	pc, err := pgxpool.ParseConfig(cfg.DSN)
	if err != nil {
		// pgx's message may quote the DSN (and its password): say only what we can tell
		// without it. pgx reads the TLS files while parsing, so a missing one fails here.
		if p := tlsFileProblem(cfg.DSN); p != "" {
			return nil, &Error{Op: "Open", Err: fmt.Errorf("%w: %s", ErrInvalidDSN, p)}
		}
		return nil, &Error{Op: "Open", Err: ErrInvalidDSN}
	}
	pc.MaxConns = DefaultMaxConns
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	s := &Store{markTimeout: DefaultMarkTimeout}
	if cfg.MarkTimeout > 0 {
		s.markTimeout = cfg.MarkTimeout
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, pc); err != nil {
		return nil, &Error{Op: "Open", Err: err}
	}
	// pgconn's connect errors name user and database, never the password.
	if err := s.pool.Ping(ctx); err != nil {
		s.pool.Close()
		return nil, &Error{Op: "Open", Err: fmt.Errorf("connect to PostgreSQL at %s:%d: %w", pc.ConnConfig.Host, pc.ConnConfig.Port, err)}
	}
	if err := migrate(ctx, s.pool); err != nil {
		s.pool.Close()
		return nil, wrap("Open", fmt.Errorf("schema: %w", err))
	}
	return s, nil
}

// Close waits for queries in flight and closes the pool.
func (s *Store) Close() { s.pool.Close() }
