package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/idgate/idgate/gate"
)

// schema is the current (version 6) layout, for a new file. Boarding records are one
// WITHOUT ROWID B-tree keyed by (flight, pass), so a boarding writes one B-tree where version
// 1 wrote three (rowid table, primary-key index, departure index). Purge finds departed
// flights in boarded_flights, which a trigger keeps at each flight's latest departure inside
// the boarding's own statement (no second statement, no second commit).
const schema = `
CREATE TABLE IF NOT EXISTS gates (
	id TEXT PRIMARY KEY, carrier TEXT NOT NULL, number TEXT NOT NULL, date TEXT NOT NULL,
	boarding INTEGER NOT NULL, departure INTEGER NOT NULL, updated INTEGER NOT NULL,
	airport TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS boarded (
	flight TEXT NOT NULL, pass TEXT NOT NULL, departure INTEGER NOT NULL, at INTEGER NOT NULL,
	req BLOB, PRIMARY KEY (flight, pass)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS enrolments (
	flight TEXT NOT NULL, pass TEXT NOT NULL, sealed TEXT NOT NULL, departure INTEGER NOT NULL,
	enrolled INTEGER NOT NULL, status_uri TEXT NOT NULL DEFAULT '', status_idx INTEGER NOT NULL DEFAULT 0,
	id_expires INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (flight, pass));
CREATE INDEX IF NOT EXISTS enrolments_departure ON enrolments (departure);
` + boardedFlights

// boardedFlights is each flight's latest departure among its boarding records. A delay only
// moves it later (early boardings are kept as long as late ones); the WHERE makes the usual
// case, an unchanged departure, a read without a page write.
const boardedFlights = `
CREATE TABLE IF NOT EXISTS boarded_flights (flight TEXT PRIMARY KEY, departure INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS boarded_flight AFTER INSERT ON boarded BEGIN
	INSERT INTO boarded_flights (flight, departure) VALUES (NEW.flight, NEW.departure)
	ON CONFLICT (flight) DO UPDATE SET departure = excluded.departure
	WHERE excluded.departure > boarded_flights.departure;
END;
`

// v1ToV2 moves version 1's boarding records to the version 2 layout.
var v1ToV2 = []string{
	`CREATE TABLE boarded_v2 (flight TEXT NOT NULL, pass TEXT NOT NULL, departure INTEGER NOT NULL,
		at INTEGER NOT NULL, PRIMARY KEY (flight, pass)) WITHOUT ROWID`,
	`INSERT INTO boarded_v2 SELECT flight, pass, departure, at FROM boarded`,
	`DROP INDEX IF EXISTS boarded_departure`,
	`DROP TABLE boarded`,
	`ALTER TABLE boarded_v2 RENAME TO boarded`,
	boardedFlights,
	`INSERT INTO boarded_flights (flight, departure) SELECT flight, MAX(departure) FROM boarded GROUP BY flight`,
}

// v2ToV3 records which request boarded a pass (gate.Store.MarkBoardedBy); older rows name none.
var v2ToV3 = []string{`ALTER TABLE boarded ADD COLUMN req BLOB`}

// v3ToV4 keeps the enrolled ID's status list reference (gate.Enrolment.Status). Older rows
// get none (an empty URI names no list): Identify denies them status_unavailable, since the
// reference was in the presentation only and cannot be recovered.
var v3ToV4 = []string{
	`ALTER TABLE enrolments ADD COLUMN status_uri TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE enrolments ADD COLUMN status_idx INTEGER NOT NULL DEFAULT 0`,
}

// v4ToV5 keeps the enrolled ID's expiry (gate.Enrolment.IDExpires, Unix milliseconds). Older
// rows get 0, unknown: Identify denies them credential_expired, since the expiry was in the
// presentation only.
var v4ToV5 = []string{`ALTER TABLE enrolments ADD COLUMN id_expires INTEGER NOT NULL DEFAULT 0`}

// v5ToV6 keeps the gate's airport (gate.GateConfig.Airport); older gates have none.
var v5ToV6 = []string{`ALTER TABLE gates ADD COLUMN airport TEXT NOT NULL DEFAULT ''`}

// Store is a gate.Store on one SQLite file. MarkBoarded goes through a group commit (see
// groupcommit.go); the other methods use the connection directly.
type Store struct {
	db    *sql.DB
	marks *groupCommit
	ckpt  *checkpointer
}

var _ gate.Store = (*Store)(nil)

// Durability is what an acknowledged write (a boarding, an enrolment, a gate configuration)
// survives.
type Durability int

const (
	// SurvivesPowerLoss (the default) is synchronous=FULL: the WAL is fsynced before every
	// commit returns, so an acknowledged boarding survives a killed process, an OS crash and
	// a power cut; a pass that boarded cannot board again after any of them. The group commit
	// shares one fsync among the boardings that commit together.
	SurvivesPowerLoss Durability = iota
	// SurvivesProcessCrash is synchronous=NORMAL: commits reach the OS but are fsynced only at
	// checkpoints, so they survive a killed process but an OS crash or power cut can roll back
	// the last ones (the file stays consistent): those passes could board again.
	SurvivesProcessCrash
)

// Options tune Open; the zero value is the default.
type Options struct {
	Durability Durability
}

// Open opens (creating if needed) the database at path with the default options.
func Open(path string) (*Store, error) { return OpenWith(path, Options{}) }

// OpenWith opens (creating if needed) the database at path.
func OpenWith(path string, o Options) (*Store, error) {
	sync := "FULL"
	switch o.Durability {
	case SurvivesPowerLoss:
	case SurvivesProcessCrash:
		sync = "NORMAL"
	default:
		return nil, fmt.Errorf("sqlitestore: unknown durability %d", o.Durability)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+sync+")")
	ckptDSN := "file:" + abs + "?" + q.Encode()
	// The checkpointer does it, off the commit path; 10,000 pages (40 MB of WAL) is only a
	// backstop should it fall behind or fail.
	q.Add("_pragma", "wal_autocheckpoint(10000)")
	db, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open: %w", err)
	}
	db.SetMaxOpenConns(1)
	if err := migrate(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitestore: schema: %w", err)
	}
	marks, err := newGroupCommit(db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitestore: prepare: %w", err)
	}
	ckpt, err := startCheckpointer(ckptDSN, checkpointInterval)
	if err != nil {
		marks.insert.Close()
		db.Close()
		return nil, fmt.Errorf("sqlitestore: checkpointer: %w", err)
	}
	go marks.run()
	return &Store{db: db, marks: marks, ckpt: ckpt}, nil
}

// schemaVersion 1 stores times as Unix milliseconds (version 0 used nanoseconds, which
// overflow int64 after 2262: a far-future departure became undefined); version 2 is the
// boarding layout of schema; version 3 adds the request that boarded (boarded.req); version 4
// the enrolled ID's status reference (enrolments.status_uri, status_idx); version 5 its
// expiry (enrolments.id_expires); version 6 the gate's airport (gates.airport).
const schemaVersion = 6

// migrate creates the schema of a new file, or brings an older file to schemaVersion, in one
// transaction.
func migrate(db *sql.DB) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var v, tables int
	if err := tx.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if err := tx.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'boarded'`).Scan(&tables); err != nil {
		return err
	}
	var steps []string
	switch {
	case v > schemaVersion:
		return fmt.Errorf("database schema version %d is newer than this build's %d", v, schemaVersion)
	case v == 0 && tables == 0: // a new file
		steps = []string{schema}
	case v == 0:
		steps = append([]string{
			`UPDATE gates SET departure = departure / 1000000, updated = updated / 1000000`,
			`UPDATE boarded SET departure = departure / 1000000, at = at / 1000000`,
			`UPDATE enrolments SET departure = departure / 1000000, enrolled = enrolled / 1000000`,
		}, concat(v1ToV2, v2ToV3, v3ToV4, v4ToV5, v5ToV6)...)
	case v == 1:
		steps = concat(v1ToV2, v2ToV3, v3ToV4, v4ToV5, v5ToV6)
	case v == 2:
		steps = concat(v2ToV3, v3ToV4, v4ToV5, v5ToV6)
	case v == 3:
		steps = concat(v3ToV4, v4ToV5, v5ToV6)
	case v == 4:
		steps = concat(v4ToV5, v5ToV6)
	case v == 5:
		steps = concat(v5ToV6)
	}
	if v != schemaVersion {
		steps = append(steps, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion))
	}
	for _, q := range steps {
		if _, err := tx.Exec(q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// concat copies the migration steps into one new slice (the step lists stay unchanged).
func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// ms and fromMS convert times to the stored Unix milliseconds (UTC).
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// Close commits the markings already queued, stops the writer and closes the database.
// MarkBoarded afterwards returns ErrClosed.
func (s *Store) Close() error {
	return errors.Join(s.marks.close(), s.ckpt.close(), s.db.Close())
}

// PutGate stores the gate's configuration and, in the same transaction, carries a later
// departure (a delay) to the flight's boarding records, so that Purge keeps them until then
// even if nobody boards after the delay.
func (s *Store) PutGate(ctx context.Context, g gate.GateConfig) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, `INSERT INTO gates (id, carrier, number, date, boarding, departure, updated, airport)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET carrier=excluded.carrier,
		number=excluded.number, date=excluded.date, boarding=excluded.boarding,
		departure=excluded.departure, updated=excluded.updated, airport=excluded.airport`,
		g.Gate, g.Flight.Carrier, g.Flight.Number, g.Flight.Date, g.Boarding, ms(g.Departure), ms(g.UpdatedAt), g.Airport); err != nil {
		return wrap(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE boarded_flights SET departure = ? WHERE flight = ? AND departure < ?`,
		ms(g.Departure), g.Flight.Key(), ms(g.Departure)); err != nil {
		return wrap(err)
	}
	return wrap(tx.Commit())
}

func (s *Store) Gate(ctx context.Context, id string) (gate.GateConfig, error) {
	g := gate.GateConfig{Gate: id}
	var dep, upd int64
	err := s.db.QueryRowContext(ctx, `SELECT carrier, number, date, boarding, departure, updated, airport FROM gates WHERE id = ?`, id).
		Scan(&g.Flight.Carrier, &g.Flight.Number, &g.Flight.Date, &g.Boarding, &dep, &upd, &g.Airport)
	if errors.Is(err, sql.ErrNoRows) {
		return gate.GateConfig{}, gate.ErrGateNotFound
	}
	if err != nil {
		return gate.GateConfig{}, wrap(err)
	}
	g.Departure, g.UpdatedAt = fromMS(dep), fromMS(upd)
	return g, nil
}

// MarkBoarded inserts the boarding record through the group commit: it returns nil only
// after the transaction holding this insert committed, gate.ErrAlreadyBoarded if the row
// existed (exactly one of concurrent markings of a pass wins), ctx.Err() if the caller gave
// up before the writer took the marking (then nothing was written), ErrClosed after Close.
func (s *Store) MarkBoarded(ctx context.Context, flight string, pass gate.PassID, departure, at time.Time) error {
	return s.MarkBoardedBy(ctx, flight, pass, departure, at, gate.AttemptID{})
}

// MarkBoardedBy is MarkBoarded that also answers nil to the request (req) that boarded: the
// insert's conflict clause rewrites the row only when its stored request is req (never for
// the zero AttemptID, stored as NULL), and that counts as the one affected row.
func (s *Store) MarkBoardedBy(ctx context.Context, flight string, pass gate.PassID, departure, at time.Time, req gate.AttemptID) error {
	r := &markReq{flight: flight, pass: string(pass), departure: ms(departure), at: ms(at), done: make(chan error, 1)}
	if req != (gate.AttemptID{}) {
		r.req = req[:]
	}
	return s.marks.mark(ctx, r)
}

// enrolSQL adds or replaces one enrolment.
const enrolSQL = `INSERT INTO enrolments (flight, pass, sealed, departure, enrolled, status_uri, status_idx, id_expires)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (flight, pass) DO UPDATE SET sealed=excluded.sealed,
	departure=excluded.departure, enrolled=excluded.enrolled, status_uri=excluded.status_uri,
	status_idx=excluded.status_idx, id_expires=excluded.id_expires`

func (s *Store) Enrol(ctx context.Context, e gate.Enrolment) error {
	_, err := s.db.ExecContext(ctx, enrolSQL, enrolArgs(&e)...)
	return wrap(err)
}

// enrolArgs are enrolSQL's arguments for e.
func enrolArgs(e *gate.Enrolment) []any {
	return []any{e.Flight, string(e.Pass), e.Sealed, ms(e.Departure), ms(e.EnrolledAt), e.Status.URI, e.Status.Index, expiryMS(e.IDExpires)}
}

// expiryMS stores an ID expiry: Unix milliseconds rounded down (a fraction never extends it),
// 0 for the zero time (unknown).
func expiryMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// expiryFromMS reads expiryMS's value back.
func expiryFromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}

// EnrolBatch writes es, in order, in one transaction through one prepared statement: one
// WAL commit for the whole batch, and nothing written if any row or the commit fails.
func (s *Store) EnrolBatch(ctx context.Context, es []gate.Enrolment) error {
	if len(es) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	st, err := tx.PrepareContext(ctx, enrolSQL)
	if err != nil {
		return wrap(err)
	}
	defer st.Close()
	for _, e := range es {
		if _, err := st.ExecContext(ctx, enrolArgs(&e)...); err != nil {
			return wrap(err)
		}
	}
	return wrap(tx.Commit())
}

func (s *Store) Enrolments(ctx context.Context, flight string) ([]gate.Enrolment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT pass, sealed, departure, enrolled, status_uri, status_idx, id_expires FROM enrolments
		WHERE flight = ? ORDER BY pass`, flight)
	if err != nil {
		return nil, wrap(err)
	}
	return scanEnrolments(rows, flight)
}

// EnrolmentsSince lists flight's enrolments added or replaced at or after since, by pass. (A
// gallery sync reads it; an SQLite file has one verifier, so this scans the flight's rows.)
func (s *Store) EnrolmentsSince(ctx context.Context, flight string, since time.Time) ([]gate.Enrolment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT pass, sealed, departure, enrolled, status_uri, status_idx, id_expires FROM enrolments
		WHERE flight = ? AND enrolled >= ? ORDER BY pass`, flight, ms(since))
	if err != nil {
		return nil, wrap(err)
	}
	return scanEnrolments(rows, flight)
}

func scanEnrolments(rows *sql.Rows, flight string) ([]gate.Enrolment, error) {
	defer rows.Close()
	var out []gate.Enrolment
	for rows.Next() {
		e := gate.Enrolment{Flight: flight}
		var pass string
		var dep, enr, exp int64
		if err := rows.Scan(&pass, &e.Sealed, &dep, &enr, &e.Status.URI, &e.Status.Index, &exp); err != nil {
			return nil, wrap(err)
		}
		e.Pass, e.Departure, e.EnrolledAt, e.IDExpires = gate.PassID(pass), fromMS(dep), fromMS(enr), expiryFromMS(exp)
		out = append(out, e)
	}
	return out, wrap(rows.Err())
}

// Purge deletes, in one transaction, what departed before cutoff.
func (s *Store) Purge(ctx context.Context, cutoff time.Time) ([]string, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrap(err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	c := ms(cutoff)
	rows, err := tx.QueryContext(ctx, `SELECT flight FROM enrolments WHERE departure < ?
		UNION SELECT flight FROM boarded_flights WHERE departure < ?`, c, c)
	if err != nil {
		return nil, wrap(err)
	}
	var flights []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			rows.Close()
			return nil, wrap(err)
		}
		flights = append(flights, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	for _, q := range []string{
		`DELETE FROM enrolments WHERE departure < ?`,
		`DELETE FROM boarded WHERE flight IN (SELECT flight FROM boarded_flights WHERE departure < ?)`,
		`DELETE FROM boarded_flights WHERE departure < ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, c); err != nil {
			return nil, wrap(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, wrap(err)
	}
	sort.Strings(flights)
	return flights, nil
}

func (s *Store) Ping(ctx context.Context) error { return wrap(s.db.PingContext(ctx)) }

func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlitestore: %w", err)
}
