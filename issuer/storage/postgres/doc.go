// Package postgres is the PostgreSQL storage.Storage backend for deployments with several
// issuer instances. It opens a database/sql pool over github.com/jackc/pgx/v5 (stdlib) and
// runs the shared queries of sqlstore in READ COMMITTED transactions: updaters and
// IssueCredential take row locks with SELECT ... FOR UPDATE (concurrent issuers into one
// status list queue on the list row), the audit log is appended under a table lock so Seqs
// commit in order, and migrations run under a transaction-scoped advisory lock so several
// instances can start at once.
package postgres
