// Package sqlitestore is the embedded gate.Store: SQLite through modernc.org/sqlite (pure Go),
// WAL mode, busy timeout, one connection so every write is serialised. Single use is a
// primary-key insert (INSERT ... ON CONFLICT DO NOTHING; no row inserted means already
// boarded), so it holds across restarts and concurrent requests. Enrolments keep the sealed
// template (compact JWE to the gate reader key) as received: templates are encrypted at rest.
// Times are stored as Unix milliseconds (UTC; schema version 1 — Open converts a version 0
// file's nanoseconds, which overflowed after 2262).
package sqlitestore
