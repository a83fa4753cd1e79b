// Package record holds the representation rules every storage backend shares, so that the
// memory, SQLite and PostgreSQL stores return identical values for identical input: how
// instants and JSON columns are encoded and decoded (with size and depth bounds, because a
// database file is not trusted), deep copies of records, and the immutable-field checks the
// Update* methods apply after running the caller's function.
package record
