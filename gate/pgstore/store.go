package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/idgate/idgate/gate"
)

var _ gate.Store = (*Store)(nil)

// checkTimes fails closed on times PostgreSQL cannot hold exactly. pgx encodes microseconds
// since 2000 in an int64 without a range check, so a far-off time would wrap silently.
func checkTimes(ts ...time.Time) error {
	for _, t := range ts {
		if y := t.UTC().Year(); y < 1 || y > 9999 {
			return fmt.Errorf("%w: year %d outside 1..9999", ErrInvalidValue, y)
		}
	}
	return nil
}

func (s *Store) PutGate(ctx context.Context, g gate.GateConfig) error {
	if err := checkTimes(g.Departure, g.UpdatedAt); err != nil {
		return &Error{Op: "PutGate", Err: err}
	}
	// One statement, one transaction: the gate row, and a later departure (a delay) carried to
	// the flight's boarding records so that Purge keeps them until then.
	_, err := s.pool.Exec(ctx, `WITH g AS (INSERT INTO gate_gates (id, carrier, number, date, boarding, departure, updated_at, airport)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $9) ON CONFLICT (id) DO UPDATE SET carrier = excluded.carrier,
		number = excluded.number, date = excluded.date, boarding = excluded.boarding,
		departure = excluded.departure, updated_at = excluded.updated_at, airport = excluded.airport)
		UPDATE gate_boardings SET departure = $6 WHERE flight = $8 AND departure < $6`,
		g.Gate, g.Flight.Carrier, g.Flight.Number, g.Flight.Date, g.Boarding, g.Departure, g.UpdatedAt, g.Flight.Key(), g.Airport)
	return wrap("PutGate", err)
}

func (s *Store) Gate(ctx context.Context, id string) (gate.GateConfig, error) {
	g := gate.GateConfig{Gate: id}
	err := s.pool.QueryRow(ctx, `SELECT carrier, number, date, boarding, departure, updated_at, airport
		FROM gate_gates WHERE id = $1`, id).
		Scan(&g.Flight.Carrier, &g.Flight.Number, &g.Flight.Date, &g.Boarding, &g.Departure, &g.UpdatedAt, &g.Airport)
	if errors.Is(err, pgx.ErrNoRows) {
		return gate.GateConfig{}, gate.ErrGateNotFound
	}
	if err != nil {
		return gate.GateConfig{}, wrap("Gate", err)
	}
	g.Departure, g.UpdatedAt = g.Departure.UTC(), g.UpdatedAt.UTC()
	return g, nil
}

// MarkBoarded inserts the boarding record; the primary key makes exactly one of concurrent
// markings (from any instance) affect a row, the others get gate.ErrAlreadyBoarded. It returns
// ctx.Err() if the caller gave up before a connection was acquired (nothing was sent); once
// the insert is sent it waits up to MarkTimeout for the outcome regardless of ctx.
func (s *Store) MarkBoarded(ctx context.Context, flight string, pass gate.PassID, departure, at time.Time) error {
	return s.MarkBoardedBy(ctx, flight, pass, departure, at, gate.AttemptID{})
}

// MarkBoardedBy is MarkBoarded that also answers nil to the request (req) that boarded, from
// any instance: the conflict clause rewrites the row only when its stored request is req
// (never for the zero AttemptID, stored as NULL), and that counts as the affected row.
func (s *Store) MarkBoardedBy(ctx context.Context, flight string, pass gate.PassID, departure, at time.Time, req gate.AttemptID) error {
	var by []byte
	if req != (gate.AttemptID{}) {
		by = req[:]
	}
	if err := checkTimes(departure, at); err != nil {
		return &Error{Op: "MarkBoarded", Err: err}
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return wrap("MarkBoarded", err)
	}
	defer conn.Release()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.markTimeout)
	defer cancel()
	tag, err := conn.Exec(wctx, `INSERT INTO gate_boardings (flight, pass, departure, boarded_at, req)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (flight, pass) DO UPDATE SET req = EXCLUDED.req
		WHERE gate_boardings.req IS NOT NULL AND gate_boardings.req = EXCLUDED.req`, flight, string(pass), departure, at, by)
	if err != nil {
		return wrap("MarkBoarded", err)
	}
	if tag.RowsAffected() == 0 {
		return gate.ErrAlreadyBoarded
	}
	return nil
}

// enrolSQL adds or replaces one enrolment.
const enrolSQL = `INSERT INTO gate_enrolments (flight, pass, sealed, departure, enrolled_at, status_uri, status_idx, id_expires)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (flight, pass) DO UPDATE SET sealed = excluded.sealed,
	departure = excluded.departure, enrolled_at = excluded.enrolled_at, status_uri = excluded.status_uri,
	status_idx = excluded.status_idx, id_expires = excluded.id_expires`

// enrolArgs are enrolSQL's arguments for e, or an error for a value PostgreSQL cannot hold.
func enrolArgs(e *gate.Enrolment) ([]any, error) {
	if err := checkTimes(e.Departure, e.EnrolledAt); err != nil {
		return nil, err
	}
	if e.Status.Index < 0 || e.Status.Index > math.MaxInt32 {
		return nil, fmt.Errorf("%w: status index %d outside 0..2^31-1", ErrInvalidValue, e.Status.Index)
	}
	var exp *time.Time // NULL: unknown
	if !e.IDExpires.IsZero() {
		if err := checkTimes(e.IDExpires); err != nil {
			return nil, err
		}
		// Microseconds, rounded down: a fraction never extends it.
		t := e.IDExpires.Truncate(time.Microsecond)
		exp = &t
	}
	return []any{e.Flight, string(e.Pass), e.Sealed, e.Departure, e.EnrolledAt, e.Status.URI, int32(e.Status.Index), exp}, nil
}

func (s *Store) Enrol(ctx context.Context, e gate.Enrolment) error {
	args, err := enrolArgs(&e)
	if err != nil {
		return &Error{Op: "Enrol", Err: err}
	}
	_, err = s.pool.Exec(ctx, enrolSQL, args...)
	return wrap("Enrol", err)
}

// EnrolBatch writes es in order in one transaction, sent as one pipelined pgx.Batch (one
// round trip). Statements rather than one multi-row upsert because a later enrolment of the
// same (flight, pass) must replace an earlier one, which a single ON CONFLICT DO UPDATE
// refuses. Any bad time fails the batch before anything is sent; any failed row rolls it back.
func (s *Store) EnrolBatch(ctx context.Context, es []gate.Enrolment) error {
	if len(es) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, e := range es {
		args, err := enrolArgs(&e)
		if err != nil {
			return &Error{Op: "EnrolBatch", Err: err}
		}
		b.Queue(enrolSQL, args...)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, b).Close() })
	return wrap("EnrolBatch", err)
}

func (s *Store) Enrolments(ctx context.Context, flight string) ([]gate.Enrolment, error) {
	rows, err := s.pool.Query(ctx, `SELECT pass, sealed, departure, enrolled_at, status_uri, status_idx, id_expires FROM gate_enrolments
		WHERE flight = $1 ORDER BY pass`, flight)
	if err != nil {
		return nil, wrap("Enrolments", err)
	}
	return collectEnrolments(rows, flight)
}

// EnrolmentsSince lists flight's enrolments added or replaced at or after since, by pass
// (gate.Config.GallerySync: other instances' enrolments reach this one's loaded gallery).
func (s *Store) EnrolmentsSince(ctx context.Context, flight string, since time.Time) ([]gate.Enrolment, error) {
	if err := checkTimes(since); err != nil {
		return nil, &Error{Op: "EnrolmentsSince", Err: err}
	}
	rows, err := s.pool.Query(ctx, `SELECT pass, sealed, departure, enrolled_at, status_uri, status_idx, id_expires FROM gate_enrolments
		WHERE flight = $1 AND enrolled_at >= $2 ORDER BY pass`, flight, since)
	if err != nil {
		return nil, wrap("EnrolmentsSince", err)
	}
	return collectEnrolments(rows, flight)
}

func collectEnrolments(rows pgx.Rows, flight string) ([]gate.Enrolment, error) {
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (gate.Enrolment, error) {
		e := gate.Enrolment{Flight: flight}
		var pass string
		var idx int32
		var exp *time.Time
		if err := r.Scan(&pass, &e.Sealed, &e.Departure, &e.EnrolledAt, &e.Status.URI, &idx, &exp); err != nil {
			return gate.Enrolment{}, err
		}
		e.Status.Index = int(idx)
		if exp != nil {
			e.IDExpires = exp.UTC()
		}
		e.Pass, e.Departure, e.EnrolledAt = gate.PassID(pass), e.Departure.UTC(), e.EnrolledAt.UTC()
		return e, nil
	})
	if err != nil {
		return nil, wrap("Enrolments", err)
	}
	return out, nil
}

// Purge is one statement, so one transaction: both deletes and the returned flights see the
// same snapshot, and a failure deletes nothing. Boarding records go by their flight's latest
// departure (a delay must not free the early boardings' passes).
func (s *Store) Purge(ctx context.Context, cutoff time.Time) ([]string, error) {
	if err := checkTimes(cutoff); err != nil {
		return nil, &Error{Op: "Purge", Err: err}
	}
	rows, err := s.pool.Query(ctx, `WITH
		e AS (DELETE FROM gate_enrolments WHERE departure < $1 RETURNING flight),
		b AS (DELETE FROM gate_boardings WHERE flight IN (
			SELECT c.flight FROM gate_boardings c WHERE c.departure < $1 AND NOT EXISTS (
				SELECT 1 FROM gate_boardings d WHERE d.flight = c.flight AND d.departure >= $1)
		) RETURNING flight)
		SELECT flight FROM e UNION SELECT flight FROM b ORDER BY flight`, cutoff)
	if err != nil {
		return nil, wrap("Purge", err)
	}
	flights, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap("Purge", err)
	}
	return flights, nil
}

// Ping reports whether a connection can be acquired and answers.
func (s *Store) Ping(ctx context.Context) error { return wrap("Ping", s.pool.Ping(ctx)) }
