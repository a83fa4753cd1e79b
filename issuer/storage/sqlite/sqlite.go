package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/sqlstore"
)

// Store is the SQLite backend.
type Store struct {
	*sqlstore.Store
}

var _ storage.Storage = (*Store)(nil)

// busyTimeoutMS bounds how long a connection waits for another process's write lock.
const busyTimeoutMS = 5000

// dialect is SQLite's sqlstore.Dialect.
var dialect = sqlstore.Dialect{
	Name:            "sqlite",
	BytesType:       "BLOB",
	SerializeWrites: true,
	Classify:        classify,
}

func classify(err error) sqlstore.ErrClass {
	var e *msqlite.Error
	if !errors.As(err, &e) {
		return sqlstore.ErrOther
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.ErrUnique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.ErrForeignKey
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return sqlstore.ErrRetry
	}
	return sqlstore.ErrOther
}

// dsn builds a file: URI for path with the connection settings every pooled connection
// applies on open.
func dsn(path, synchronous string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+synchronous+")")
	// Deleted rows (a sealed portrait once its licence is issued) are overwritten with zeros,
	// not left in free pages.
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String()
}

// Open opens (creating with mode 0600 if needed) the database file at path and migrates it.
// Every commit is fsynced before it returns (synchronous=FULL): an issued credential, a
// redeemed code or a spent token survives a power cut, so none is good twice afterwards.
func Open(path string) (*Store, error) { return open(path, "FULL") }

// open is Open with another synchronous setting (the benchmarks compare NORMAL).
func open(path, synchronous string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: empty database path", storage.ErrInvalid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("storage: sqlite path: %w", err)
	}
	// Create the file ourselves so SQLite never creates it with the umask's mode; the WAL
	// and shared-memory files inherit this file's permissions.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", abs, err)
	}
	f.Close()
	db, err := sql.Open("sqlite", dsn(abs, synchronous))
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", abs, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*busyTimeoutMS*time.Millisecond)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: open %s: %w", abs, err)
	}
	s, err := sqlstore.New(ctx, db, dialect)
	if err != nil {
		return nil, err
	}
	return &Store{Store: s}, nil
}
