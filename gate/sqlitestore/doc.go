// Package sqlitestore is the embedded gate.Store: SQLite through modernc.org/sqlite (pure Go),
// WAL mode, busy timeout, one connection so every write is serialised. By default every commit
// is fsynced before it is acknowledged (synchronous=FULL, SurvivesPowerLoss): a boarding the
// gate answered survives a power cut, so the pass cannot board again afterwards; the group
// commit below shares that fsync among concurrent boardings. SurvivesProcessCrash
// (synchronous=NORMAL) survives only a killed process. Single use is a
// primary-key insert whose conflict clause only rewrites the row when it was made by the same
// request (boarded.req, schema version 3, gate.Store.MarkBoardedBy): no row affected means
// already boarded, so it holds across restarts and concurrent requests. Enrolments keep the sealed
// template (compact JWE to the gate reader key) as received: templates are encrypted at rest;
// with it, the enrolled ID's status list entry (status_uri, status_idx, schema version 4),
// which Identify checks at boarding (rows from version 3 or older have none and never board
// by walk-through), and the ID's expiry (id_expires, schema version 5; 0 in older rows, which
// Identify denies as expired).
// Times are stored as Unix milliseconds (UTC). Since schema version 2 boarding records are in
// one WITHOUT ROWID B-tree keyed by (flight, pass), with each flight's latest departure in
// boarded_flights (kept by a trigger) for Purge; Open migrates version 0 (nanoseconds, which
// overflowed after 2262), version 1, 2 and 3 files in one transaction.
//
// Checkpoints mostly run off the commit path (checkpoint.go): a second connection runs a
// PASSIVE checkpoint every 250 ms, which copies the WAL into the database and fsyncs it while
// boardings commit. Under continuous load those never leave the WAL fully copied at the
// moment a writer starts, so SQLite never restarts the WAL from its beginning; the writer's
// own auto-checkpoint at 10,000 pages does, copying only the few frames left: one short
// in-commit checkpoint per ~10,000 boardings (a 40 MB WAL), where SQLite's default would copy
// 1,000 pages inside a commit every 1,000 boardings. Measured: 37,500 boardings at 2,500/s,
// p99 1.4 ms, max 7.7 ms.
//
// EnrolBatch (gate.Store.EnrolBatch) writes a check-in batch in one transaction through one
// prepared statement: one WAL commit for up to gate.MaxEnrolBatch rows, nothing written if any
// row or the commit fails.
//
// Boarding records go through a group commit (groupcommit.go). When nothing is queued and
// no batch is being written, MarkBoarded writes its own insert (no hand-off). Otherwise it
// enqueues the insert and waits; one writer goroutine takes whatever is queued (up to 64, no added delay:
// the batch is what arrived while the previous commit ran) and runs it as one transaction,
// so concurrent boardings share one WAL write. Each caller gets its own row's outcome (nil
// or gate.ErrAlreadyBoarded, also against a duplicate earlier in the same batch) only after
// COMMIT returned; if any statement or the commit fails, every caller of that batch gets the
// error. A caller whose context ends while its marking is still queued withdraws it and gets
// ctx.Err() with nothing written; once the writer has taken it, the caller waits for the
// commit, so a gate is never told "error" for a pass that was in fact boarded (the retry would
// then be refused as already boarded). Close commits what is queued, stops the writer and
// closes the database; MarkBoarded afterwards returns ErrClosed.
package sqlitestore
