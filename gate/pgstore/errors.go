package pgstore

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinels for errors.Is; the store returns them inside an *Error.
var (
	// ErrInvalidDSN: the DSN does not parse. The parser's message is dropped because it can
	// echo the DSN, password included.
	ErrInvalidDSN = errors.New("malformed PostgreSQL DSN")
	// ErrSchemaTooNew: the database was migrated by a newer build; this one refuses to touch it.
	ErrSchemaTooNew = errors.New("database schema is newer than this build")
	// ErrInvalidValue: a value PostgreSQL cannot store (a time outside years 1..9999, text with
	// a NUL byte or invalid UTF-8). Nothing was written.
	ErrInvalidValue = errors.New("value cannot be stored")
)

// Error is a failed store operation: Op is the Store method, Err the cause (a
// *pgconn.PgError, a connection or context error, or one of the sentinels above).
type Error struct {
	Op  string
	Err error
}

func (e *Error) Error() string { return "pgstore: " + e.Op + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// dataException is SQLSTATE class 22 (PostgreSQL appendix A): the value, not the database,
// is at fault (22021 bad UTF-8 or NUL, 22008 datetime out of range, ...).
const dataException = "22"

// wrap classifies err for op; nil stays nil.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && len(pe.Code) == 5 && pe.Code[:2] == dataException {
		return &Error{Op: op, Err: fmt.Errorf("%w: %w", ErrInvalidValue, err)}
	}
	return &Error{Op: op, Err: err}
}
