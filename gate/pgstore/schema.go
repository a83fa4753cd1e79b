package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SchemaVersion is the version of the tables below; gate_schema_version holds it. Version 2
// added gate_nonces (shared single-use nonces) and the (flight, enrolled_at) index that
// gallery syncs read; version 3 the request that boarded (gate_boardings.req); version 4 the
// enrolled ID's status reference (gate_enrolments.status_uri, status_idx); version 5 its
// expiry (gate_enrolments.id_expires); version 6 the gate's airport (gate_gates.airport). The
// statements below bring a version 1 to 5 database to it.
const SchemaVersion = 6

// migrationLockKey names the gate's migration advisory lock (the issuer's backend uses
// another key, so the two can migrate one database at once).
const migrationLockKey int64 = 0x1d6a7e5702

// schema is idempotent. COLLATE "C": byte order, as the memory and SQLite stores sort.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS gate_schema_version (
		version INTEGER PRIMARY KEY,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
	`CREATE TABLE IF NOT EXISTS gate_gates (
		id TEXT COLLATE "C" PRIMARY KEY,
		carrier TEXT NOT NULL, number TEXT NOT NULL, date TEXT NOT NULL,
		boarding BOOLEAN NOT NULL,
		departure TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
		airport TEXT NOT NULL DEFAULT '')`,
	`CREATE TABLE IF NOT EXISTS gate_boardings (
		flight TEXT COLLATE "C" NOT NULL, pass TEXT COLLATE "C" NOT NULL,
		departure TIMESTAMPTZ NOT NULL, boarded_at TIMESTAMPTZ NOT NULL, req BYTEA,
		PRIMARY KEY (flight, pass))`,
	`CREATE INDEX IF NOT EXISTS gate_boardings_departure ON gate_boardings (departure)`,
	`CREATE TABLE IF NOT EXISTS gate_enrolments (
		flight TEXT COLLATE "C" NOT NULL, pass TEXT COLLATE "C" NOT NULL,
		sealed TEXT NOT NULL,
		departure TIMESTAMPTZ NOT NULL, enrolled_at TIMESTAMPTZ NOT NULL,
		status_uri TEXT NOT NULL DEFAULT '', status_idx INTEGER NOT NULL DEFAULT 0,
		id_expires TIMESTAMPTZ,
		PRIMARY KEY (flight, pass))`,
	`CREATE INDEX IF NOT EXISTS gate_enrolments_departure ON gate_enrolments (departure)`,
	`CREATE TABLE IF NOT EXISTS gate_nonces (
		scope TEXT COLLATE "C" NOT NULL, nonce TEXT COLLATE "C" NOT NULL,
		expires TIMESTAMPTZ NOT NULL,
		PRIMARY KEY (scope, nonce))`,
	`CREATE INDEX IF NOT EXISTS gate_nonces_expires ON gate_nonces (expires)`,
	`CREATE INDEX IF NOT EXISTS gate_enrolments_enrolled ON gate_enrolments (flight, enrolled_at)`,
}

// toV3 adds the request that boarded to a version 1 or 2 database. ALTER TABLE takes an
// ACCESS EXCLUSIVE lock, so it runs only when the version says it is needed (never on an
// ordinary Open, where it would queue every boarding behind any open reader), and gives up
// after lock_timeout rather than stall the gates of running instances.
var toV3 = []string{
	`SET LOCAL lock_timeout = '10s'`,
	`ALTER TABLE gate_boardings ADD COLUMN IF NOT EXISTS req BYTEA`,
}

// toV4 keeps the enrolled ID's status reference (gate.Enrolment.Status), under the same rules
// as toV3. Older rows get none (an empty URI names no list): Identify denies them status_unavailable,
// since the reference was in the presentation only and cannot be recovered. A constant
// default makes each ADD COLUMN a catalog change, without rewriting the table.
var toV4 = []string{
	`SET LOCAL lock_timeout = '10s'`,
	`ALTER TABLE gate_enrolments ADD COLUMN IF NOT EXISTS status_uri TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE gate_enrolments ADD COLUMN IF NOT EXISTS status_idx INTEGER NOT NULL DEFAULT 0`,
}

// toV5 keeps the enrolled ID's expiry (gate.Enrolment.IDExpires), under the same rules as
// toV3. Older rows get NULL, unknown: Identify denies them credential_expired.
var toV5 = []string{
	`SET LOCAL lock_timeout = '10s'`,
	`ALTER TABLE gate_enrolments ADD COLUMN IF NOT EXISTS id_expires TIMESTAMPTZ`,
}

// toV6 keeps the gate's airport (gate.GateConfig.Airport), under the same rules as toV3; older
// gates have none.
var toV6 = []string{
	`SET LOCAL lock_timeout = '10s'`,
	`ALTER TABLE gate_gates ADD COLUMN IF NOT EXISTS airport TEXT NOT NULL DEFAULT ''`,
}

// migrate creates the schema and records its version in one transaction. The advisory lock
// serialises instances opening at once: concurrent CREATE TABLE IF NOT EXISTS can otherwise
// fail on PostgreSQL's catalog unique index.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
			return err
		}
		for _, q := range schema {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM gate_schema_version`).Scan(&v); err != nil {
			return err
		}
		switch {
		case v == SchemaVersion:
			return nil
		case v > SchemaVersion:
			return fmt.Errorf("%w: version %d, this build knows %d", ErrSchemaTooNew, v, SchemaVersion)
		}
		var steps []string
		if v < 3 {
			steps = append(steps, toV3...)
		}
		if v < 4 {
			steps = append(steps, toV4...)
		}
		if v < 5 {
			steps = append(steps, toV5...)
		}
		steps = append(steps, toV6...)
		for _, q := range steps { // a new database has the columns already: IF NOT EXISTS
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO gate_schema_version (version) VALUES ($1)`, SchemaVersion)
		return err
	})
}
