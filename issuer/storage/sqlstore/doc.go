// Package sqlstore is the SQL implementation of storage.Storage shared by the sqlite and
// postgres backends: one schema, one set of queries over database/sql, and a small Dialect
// for what differs (placeholder style, the bytes column type, row locking, error codes).
//
// Data flow: a backend opens a *sql.DB with its driver and passes it with its Dialect to New,
// which applies the versioned migrations (schema_version table) under a migration lock.
// Every change runs in one transaction (write): updaters read the row (FOR UPDATE on
// PostgreSQL; SQLite transactions begin IMMEDIATE and are serialised in-process), run the
// caller's function on a copy, re-validate and write back. IssueCredential locks the status
// list row, checks its used-slot counter, picks a random free index (internal/slot), inserts
// it into the status_slots ledger (PRIMARY KEY (status_list_id, status_index): the database,
// not Go code, guarantees a slot is used once) and inserts the credential, which references
// its ledger row. The ledger never shrinks, so slots are never reused.
//
// Instants are BIGINT nanoseconds since the epoch (exact in both databases), JSON columns
// TEXT; values read back are decoded with bounds (a database file is not trusted).
package sqlstore
