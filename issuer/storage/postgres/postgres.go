package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/sqlstore"
)

// Store is the PostgreSQL backend.
type Store struct {
	*sqlstore.Store
}

var _ storage.Storage = (*Store)(nil)

// MaxConns bounds the pool, well below PostgreSQL's default max_connections of 100.
const MaxConns = 16

// migrationLockKey is an arbitrary constant naming idgate's migration advisory lock.
const migrationLockKey = 0x1d6a7e5701

var dialect = sqlstore.Dialect{
	Name:           "postgres",
	NumberedParams: true,
	BytesType:      "BYTEA",
	ForUpdate:      " FOR UPDATE",
	MigrationLock:  fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockKey),
	AuditLock:      "LOCK TABLE audit_events IN EXCLUSIVE MODE",
	Classify:       classify,
}

// SQLSTATE codes (PostgreSQL appendix A).
const (
	uniqueViolation      = "23505"
	foreignKeyViolation  = "23503"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
	lockNotAvailable     = "55P03"
)

func classify(err error) sqlstore.ErrClass {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return sqlstore.ErrOther
	}
	switch e.Code {
	case uniqueViolation:
		return sqlstore.ErrUnique
	case foreignKeyViolation:
		return sqlstore.ErrForeignKey
	case serializationFailure, deadlockDetected, lockNotAvailable:
		return sqlstore.ErrRetry
	}
	return sqlstore.ErrOther
}

// Open connects to dsn (a libpq URL or key=value string), checks the connection and
// migrates the schema in the connection's search_path.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message can echo the DSN, password included: do not wrap it.
		return nil, fmt.Errorf("%w: malformed PostgreSQL DSN", storage.ErrInvalid)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(MaxConns)
	db.SetMaxIdleConns(MaxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: connect to PostgreSQL at %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	s, err := sqlstore.New(ctx, db, dialect)
	if err != nil {
		return nil, err
	}
	return &Store{Store: s}, nil
}
