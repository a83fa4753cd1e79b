// Package pgstore is the gate.Store for deployments with several verifier instances behind
// one PostgreSQL database (github.com/jackc/pgx/v5, pgxpool).
//
// # Data flow
//
// Open parses the DSN (a libpq URL or key=value string; its password is never echoed in an
// error or log line: see Redact), connects, and creates the schema idempotently in one
// transaction under a transaction-scoped advisory lock, so instances starting together do not
// race on CREATE TABLE. The tables carry a gate_ prefix so the gate can share a database (and
// search_path) with the issuer's PostgreSQL backend; gate_schema_version holds one row with
// the schema version, and Open refuses a database whose version is newer than this build's.
//
//   - gate_gates: one row per gate, replaced by PutGate (INSERT ... ON CONFLICT DO UPDATE).
//   - gate_boardings: primary key (flight, pass). MarkBoarded is one INSERT ... ON CONFLICT DO
//     UPDATE ... WHERE the stored request (req, schema version 3; gate.Store.MarkBoardedBy) equals
//     this one's: no row affected means the pass had already boarded, by another request.
//     PostgreSQL's unique index decides, so exactly one of any number of concurrent markings
//     wins, across every pool and every instance. Once the insert has been sent, MarkBoarded
//     waits for its outcome (up to Config.MarkTimeout) even if the caller's context ends, and
//     should the acknowledgement still be lost, the same request resent is answered boarded.
//   - gate_enrolments: primary key (flight, pass), upserted by Enrol. The sealed template is
//     stored as received (a compact JWE to the gate reader key): templates are encrypted at
//     rest. status_uri and status_idx (schema version 4) are the enrolled ID's status list
//     entry, which Identify checks at boarding; rows from version 3 or older have none (an
//     empty URI) and never board by walk-through. id_expires (schema version 5) is the ID's
//     expiry, NULL in older rows, which Identify denies as expired. EnrolBatch (gate.Store.EnrolBatch) sends the
//     same upserts, in order, as one pipelined batch in one transaction: one round trip, all
//     rows or none.
//   - Purge is a single statement (two data-modifying CTEs), hence one transaction: it
//     deletes the enrolments that departed before the cutoff and the boarding records of
//     flights whose latest departure is before it, and returns the affected flight keys, sorted.
//   - gate_nonces (schema version 2; Open adds it to a version 1 database): the gate's
//     single-use nonces when instances share them (gate.NonceStore, Config.SharedNonces, which
//     verifier serve sets for a PostgreSQL store). TakeNonce is one DELETE … RETURNING, so of
//     concurrent takes from any instance exactly one gets the row; every 256th put sweeps
//     the expired ones, and PurgeNonces runs with Service.RunPurge. An older build refuses a
//     newer schema version (1 < 2 < 3 < 4): roll back by restoring the database too.
//
// Text columns use the "C" collation so Enrolments and Purge order by bytes, like the other
// stores, whatever the database's locale. Times are timestamptz (microsecond precision, read
// back in UTC); a time outside years 1..9999, or text PostgreSQL cannot store (a NUL byte,
// invalid UTF-8), fails with ErrInvalidValue and writes nothing.
//
// # TLS
//
// A production DSN should carry sslmode=verify-full and sslrootcert=<the CA's PEM>: the
// server's certificate must chain to that CA and name the host dialled. sslmode=require only
// encrypts (it accepts any certificate unless sslrootcert is given), and the libpq default,
// prefer, neither verifies nor insists on TLS. An unreadable sslrootcert makes Open fail with
// ErrInvalidDSN. tls_test.go, run against the throw-away cluster of scripts/with-postgres.sh
// (TLS on, certificate from a throw-away CA), proves that over verify-full the store works and
// the server reports the session as SSL, and that a certificate from an untrusted CA (even one
// with the trusted CA's name) or only the system roots makes Open fail without the password in
// the error.
package pgstore
