// Package sqlite is the embedded default storage.Storage backend: one database file opened
// with modernc.org/sqlite (pure Go, no cgo), in WAL mode with a busy timeout, foreign keys
// on, synchronous=FULL and BEGIN IMMEDIATE transactions, so an updater takes the write lock
// before it reads and two updaters cannot deadlock upgrading read locks. Write transactions
// are also queued in-process (SQLite has a single writer). Open creates the file with mode
// 0600 and migrates its schema (see sqlstore); all queries live in sqlstore.
package sqlite
