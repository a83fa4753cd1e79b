package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migrations are applied in order; entry i brings the schema to version i+1. Never edit a
// released entry: append a new one. {{BYTES}} is the dialect's bytes type.
var migrations = [][]string{
	{
		`CREATE TABLE holders (
			id         TEXT PRIMARY KEY,
			attributes TEXT NOT NULL,
			created_at BIGINT
		)`,
		`CREATE TABLE offers (
			id                 TEXT PRIMARY KEY,
			holder_id          TEXT NOT NULL REFERENCES holders (id),
			credential_type    TEXT NOT NULL,
			pre_auth_code_hash {{BYTES}} NOT NULL UNIQUE CHECK (length(pre_auth_code_hash) = 32),
			tx_code_hash       {{BYTES}} CHECK (tx_code_hash IS NULL OR length(tx_code_hash) = 32),
			created_at         BIGINT,
			expires_at         BIGINT NOT NULL,
			redeemed_at        BIGINT
		)`,
		`CREATE INDEX offers_holder ON offers (holder_id)`,
		`CREATE TABLE access_tokens (
			token_hash         {{BYTES}} PRIMARY KEY CHECK (length(token_hash) = 32),
			offer_id           TEXT NOT NULL REFERENCES offers (id),
			c_nonce            TEXT NOT NULL,
			c_nonce_expires_at BIGINT,
			expires_at         BIGINT NOT NULL,
			used_at            BIGINT
		)`,
		`CREATE INDEX access_tokens_offer ON access_tokens (offer_id)`,
		`CREATE TABLE status_lists (
			id         TEXT PRIMARY KEY,
			uri        TEXT NOT NULL,
			bits       INTEGER NOT NULL CHECK (bits IN (1, 2, 4, 8)),
			size       INTEGER NOT NULL CHECK (size > 0),
			used       INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= size),
			created_at BIGINT
		)`,
		// The slot ledger: a row per index ever handed out, never deleted.
		`CREATE TABLE status_slots (
			status_list_id TEXT NOT NULL REFERENCES status_lists (id),
			status_index   INTEGER NOT NULL CHECK (status_index >= 0),
			PRIMARY KEY (status_list_id, status_index)
		)`,
		`CREATE TABLE credentials (
			id                    TEXT PRIMARY KEY,
			holder_id             TEXT NOT NULL REFERENCES holders (id),
			offer_id              TEXT REFERENCES offers (id),
			vct                   TEXT NOT NULL,
			status_list_id        TEXT NOT NULL,
			status_index          INTEGER NOT NULL,
			status                SMALLINT NOT NULL CHECK (status >= 0 AND status <= 255),
			holder_key_thumbprint TEXT NOT NULL,
			issued_at             BIGINT,
			expires_at            BIGINT,
			updated_at            BIGINT,
			UNIQUE (status_list_id, status_index),
			FOREIGN KEY (status_list_id, status_index) REFERENCES status_slots (status_list_id, status_index)
		)`,
		`CREATE INDEX credentials_holder ON credentials (holder_id, id)`,
		`CREATE TABLE operator_tokens (
			hash       {{BYTES}} PRIMARY KEY CHECK (length(hash) = 32),
			name       TEXT NOT NULL,
			created_at BIGINT
		)`,
		`CREATE TABLE audit_events (
			seq        BIGINT PRIMARY KEY,
			event_time BIGINT,
			actor      TEXT NOT NULL,
			action     TEXT NOT NULL,
			subject    TEXT NOT NULL,
			details    TEXT NOT NULL
		)`,
	},
	{
		// Re-delivery after a lost answer: the salt the access token is derived from, the
		// credential a token was spent on, and credentials whose delivery is unconfirmed.
		`ALTER TABLE offers ADD COLUMN token_salt {{BYTES}}`,
		`ALTER TABLE access_tokens ADD COLUMN credential_id TEXT`,
		`ALTER TABLE credentials ADD COLUMN pending_until BIGINT`,
		`CREATE INDEX credentials_pending ON credentials (pending_until) WHERE pending_until IS NOT NULL`,
	},
	{
		// Enrolment portraits, sealed, kept until the mdoc licence carrying them is issued.
		`CREATE TABLE holder_portraits (
			holder_id     TEXT PRIMARY KEY REFERENCES holders (id),
			sealed        {{BYTES}} NOT NULL,
			expires_at    BIGINT NOT NULL,
			credential_id TEXT
		)`,
		`CREATE INDEX holder_portraits_expiry ON holder_portraits (expires_at)`,
	},
}

// SchemaVersion is the version this code migrates to.
var SchemaVersion = len(migrations)

// migrate brings the database to SchemaVersion, refusing a database from a newer binary.
func (s *Store) migrate(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if s.d.MigrationLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.MigrationLock); err != nil {
				return fmt.Errorf("storage: migration lock: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("storage: create schema_version: %w", err)
		}
		var v sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
			return fmt.Errorf("storage: read schema_version: %w", err)
		}
		cur := int(v.Int64)
		if cur > SchemaVersion {
			return fmt.Errorf("storage: database schema version %d is newer than this binary's %d", cur, SchemaVersion)
		}
		for i := cur; i < SchemaVersion; i++ {
			for _, stmt := range migrations[i] {
				if _, err := tx.ExecContext(ctx, strings.ReplaceAll(stmt, "{{BYTES}}", s.d.BytesType)); err != nil {
					return fmt.Errorf("storage: migration %d: %w", i+1, err)
				}
			}
			if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO schema_version (version) VALUES (?)`), i+1); err != nil {
				return fmt.Errorf("storage: record migration %d: %w", i+1, err)
			}
		}
		return nil
	})
}
