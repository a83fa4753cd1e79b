package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/internal/record"
)

// Store implements storage.Storage over database/sql. Backends embed it.
type Store struct {
	db     *sql.DB
	d      *Dialect
	rnd    io.Reader
	wmu    sync.Mutex // held around write transactions when d.SerializeWrites
	closed atomic.Bool
}

var _ storage.Storage = (*Store)(nil)

// New wraps db (which the Store now owns and closes) and migrates the schema.
func New(ctx context.Context, db *sql.DB, d Dialect) (*Store, error) {
	s := &Store{db: db, d: &d, rnd: rand.Reader}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// DB exposes the underlying pool for backend-specific tests and maintenance.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database; later calls return storage.ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}

func (s *Store) open() error {
	if s.closed.Load() {
		return storage.ErrClosed
	}
	return nil
}

// q adapts a query to the dialect's placeholders.
func (s *Store) q(query string) string { return s.d.rebind(query) }

// write runs fn in one transaction, committing only if fn succeeds.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := s.open(); err != nil {
		return err
	}
	if s.d.SerializeWrites {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.driverErr(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the transaction is abandoned either way
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.driverErr(err)
	}
	return nil
}

// WriteAudited runs fn in one write transaction of the store and appends the audit events
// in it, so a store that keeps its own tables in this database (the holders' passkeys)
// commits a change and the events recording it together or not at all. fn's error aborts
// the transaction and is returned unchanged; an invalid event fails with ErrInvalid before
// fn runs.
func (s *Store) WriteAudited(ctx context.Context, audit []storage.AuditEvent, fn func(tx *sql.Tx) error) error {
	return s.writeAudited(ctx, audit, fn)
}

// writeAudited runs fn and appends the checked audit events in one transaction.
func (s *Store) writeAudited(ctx context.Context, audit []storage.AuditEvent, fn func(tx *sql.Tx) error) error {
	if err := checkAudit(audit); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, audit)
		return err
	})
}

// driverErr maps errors no caller context explains (begin, commit, reads).
func (s *Store) driverErr(err error) error {
	if err == nil {
		return nil
	}
	if s.closed.Load() {
		return fmt.Errorf("%w: %v", storage.ErrClosed, err)
	}
	if s.d.Classify(err) == ErrRetry {
		return fmt.Errorf("%w: concurrent update, retry: %v", storage.ErrConflict, err)
	}
	return fmt.Errorf("storage: %s: %w", s.d.Name, err)
}

// insertErr maps an INSERT's error: unique violations are ErrAlreadyExists, foreign-key
// violations ErrNotFound (a referenced record is missing).
func (s *Store) insertErr(err error, what, refs string) error {
	switch s.d.Classify(err) {
	case ErrUnique:
		return fmt.Errorf("%w: %s", storage.ErrAlreadyExists, what)
	case ErrForeignKey:
		return fmt.Errorf("%w: %s", storage.ErrNotFound, refs)
	}
	return s.driverErr(err)
}

// readErr maps a single-row read's error.
func (s *Store) readErr(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", storage.ErrNotFound, what)
	}
	return s.driverErr(err)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// collect scans every row with scan.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// corrupt reports a stored value outside what the store ever writes.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{record.ErrCorrupt}, args...)...)
}
