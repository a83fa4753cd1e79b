package pgstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/storetest"
	"github.com/jackc/pgx/v5"
)

const flight = "IG0101/2026-11-27"

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) gate.Store { return openT(t, freshSchema(t)) })
}

// Single use must survive a restart (and another instance): the state is the database's.
func TestBoardingSurvivesReopen(t *testing.T) {
	dsn := freshSchema(t)
	ctx := context.Background()
	now := time.Now()
	s := openT(t, dsn)
	if err := s.MarkBoarded(ctx, flight, "p", now, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Enrol(ctx, gate.Enrolment{Flight: flight, Pass: "p", Sealed: "jwe", Departure: now, EnrolledAt: now}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openT(t, dsn)
	if err := s.MarkBoarded(ctx, flight, "p", now, now); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("after reopen: %v", err)
	}
	if es, err := s.Enrolments(ctx, flight); err != nil || len(es) != 1 || es[0].Sealed != "jwe" {
		t.Fatalf("enrolments after reopen: %v %v", es, err)
	}
}

// Several instances may start together: the schema is created once, one version row.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := freshSchema(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := Open(context.Background(), Config{DSN: dsn})
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	s := openT(t, dsn)
	var n, v int
	if err := s.pool.QueryRow(context.Background(), `SELECT COUNT(*), MAX(version) FROM gate_schema_version`).Scan(&n, &v); err != nil {
		t.Fatal(err)
	}
	if n != 1 || v != SchemaVersion {
		t.Fatalf("gate_schema_version: %d rows, max %d; want 1 row of %d", n, v, SchemaVersion)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	dsn := freshSchema(t)
	openT(t, dsn).Close()
	exec(t, dsn, `INSERT INTO gate_schema_version (version) VALUES ($1)`, SchemaVersion+1)
	s, err := Open(context.Background(), Config{DSN: dsn})
	var pe *Error
	if !errors.Is(err, ErrSchemaTooNew) || !errors.As(err, &pe) || pe.Op != "Open" {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open over a newer schema: %v", err)
	}
}

// Open's errors never carry the password; these need no server.
func TestOpenErrorsHidePassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name, dsn string
		want      error
	}{
		{"malformed URL", "postgres://u:s3cret@[::1", ErrInvalidDSN},
		{"bad port", "postgres://u:s3cret@127.0.0.1:notaport/db", ErrInvalidDSN},
		{"bad key=value", "host=127.0.0.1 password=s3cret port=x", ErrInvalidDSN},
		{"nothing listening", "postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=2", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(ctx, Config{DSN: tc.dsn})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			var pe *Error
			if !errors.As(err, &pe) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("error %v (%T); want *Error wrapping %v", err, err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("error leaks the password: %v", err)
			}
		})
	}
}

// Microsecond precision, UTC on read, and the whole 1..9999 range round trip.
func TestTimes(t *testing.T) {
	s := openT(t, freshSchema(t))
	ctx := context.Background()
	for i, ts := range []time.Time{
		time.Date(2026, 11, 27, 10, 0, 0, 123456000, time.FixedZone("X", 5*3600)),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		pass := gate.PassID(strings.Repeat("p", i+1))
		if err := s.Enrol(ctx, gate.Enrolment{Flight: flight, Pass: pass, Sealed: "x", Departure: ts, EnrolledAt: ts}); err != nil {
			t.Fatal(err)
		}
		es, err := s.Enrolments(ctx, flight)
		if err != nil || len(es) != i+1 {
			t.Fatalf("%v %v", es, err)
		}
		got := es[i]
		if got.Pass != pass || !got.Departure.Equal(ts) || got.Departure.Location() != time.UTC {
			t.Fatalf("read back %v (%v); want %v in UTC", got.Departure, got.Departure.Location(), ts)
		}
	}
}

// Values PostgreSQL cannot store fail with ErrInvalidValue and write nothing.
func TestInvalidValuesFailClosed(t *testing.T) {
	s := openT(t, freshSchema(t))
	ctx := context.Background()
	now := time.Now()
	far := time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		op   func() error
	}{
		{"NUL in sealed", func() error {
			return s.Enrol(ctx, gate.Enrolment{Flight: flight, Pass: "p", Sealed: "a\x00b", Departure: now, EnrolledAt: now})
		}},
		{"invalid UTF-8 pass", func() error { return s.MarkBoarded(ctx, flight, "\xff\xfe", now, now) }},
		{"NUL in gate id", func() error {
			return s.PutGate(ctx, gate.GateConfig{Gate: "A\x001", Departure: now, UpdatedAt: now})
		}},
		{"departure past 9999", func() error { return s.MarkBoarded(ctx, flight, "p", far, now) }},
		{"enrolled before year 1", func() error {
			return s.Enrol(ctx, gate.Enrolment{Flight: flight, Pass: "p", Sealed: "x", Departure: now, EnrolledAt: time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)})
		}},
		{"purge cutoff past 9999", func() error { _, err := s.Purge(ctx, far); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.op()
			var pe *Error
			if !errors.Is(err, ErrInvalidValue) || !errors.As(err, &pe) {
				t.Fatalf("got %v; want *Error wrapping ErrInvalidValue", err)
			}
		})
	}
	if es, err := s.Enrolments(ctx, flight); err != nil || len(es) != 0 {
		t.Fatalf("enrolments after rejected writes: %v %v", es, err)
	}
	if err := s.MarkBoarded(ctx, flight, "p", now, now); err != nil {
		t.Fatalf("pass p was recorded by a rejected write: %v", err)
	}
}

// A caller that gave up before the insert was sent gets ctx.Err() and nothing is written.
func TestMarkBoardedCancelledBeforeSend(t *testing.T) {
	s := openT(t, freshSchema(t))
	now := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.MarkBoarded(ctx, flight, "p", now, now); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if err := s.MarkBoarded(context.Background(), flight, "p", now, now); err != nil {
		t.Fatalf("the cancelled marking was written: %v", err)
	}
}

// Ping fails once the pool is closed: readiness must not report a dead store as ready.
func TestPingAfterClose(t *testing.T) {
	s := openT(t, freshSchema(t))
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Ping(context.Background()); err == nil {
		t.Fatal("Ping on a closed store succeeded")
	}
}

// A batch with one row PostgreSQL rejects (or one bad time) writes none of its rows.
func TestEnrolBatchAllOrNothing(t *testing.T) {
	s := openT(t, freshSchema(t))
	ctx := context.Background()
	now := time.Now()
	ok := gate.Enrolment{Flight: flight, Pass: "a", Sealed: "x", Departure: now, EnrolledAt: now}
	for _, bad := range []gate.Enrolment{
		{Flight: flight, Pass: "b", Sealed: "x\x00", Departure: now, EnrolledAt: now},
		{Flight: flight, Pass: "b", Sealed: "x", Departure: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), EnrolledAt: now},
	} {
		if err := s.EnrolBatch(ctx, []gate.Enrolment{ok, bad, ok}); !errors.Is(err, ErrInvalidValue) {
			t.Fatalf("batch with %q: %v; want ErrInvalidValue", bad.Sealed, err)
		}
		if es, err := s.Enrolments(ctx, flight); err != nil || len(es) != 0 {
			t.Fatalf("failed batch left %d rows, %v", len(es), err)
		}
	}
}

// TestOpenTakesNoExclusiveLock: opening a store on a database already at the current schema
// version must not take an ACCESS EXCLUSIVE lock on the boarding table (an ALTER TABLE on every
// Open did): with a reader's transaction open on it, a second instance still opens, and a
// boarding still goes through, within a short deadline.
func TestOpenTakesNoExclusiveLock(t *testing.T) {
	dsn := freshSchema(t)
	s := openT(t, dsn)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM gate_boardings`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	octx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	s2, err := Open(octx, Config{DSN: dsn})
	if err != nil {
		t.Fatalf("second Open while a reader holds the table: %v", err)
	}
	defer s2.Close()
	if err := s.MarkBoarded(octx, "IG0101/2026-11-27", "p", time.Now(), time.Now()); err != nil {
		t.Fatalf("boarding after the second Open: %v", err)
	}
}

// TestMigratesVersion3: a version 3 database (enrolments without a status reference or ID
// expiry) gains the columns on Open; its rows read back with none (Identify denies them),
// new enrolments keep theirs, and the boarding records stay single use.
func TestMigratesVersion3(t *testing.T) {
	dsn := freshSchema(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	s := openT(t, dsn)
	if err := s.MarkBoarded(ctx, flight, "b", now, now); err != nil {
		t.Fatal(err)
	}
	s.Close()
	exec(t, dsn, `ALTER TABLE gate_enrolments DROP COLUMN status_uri, DROP COLUMN status_idx, DROP COLUMN id_expires`)
	exec(t, dsn, `DELETE FROM gate_schema_version`)
	exec(t, dsn, `INSERT INTO gate_schema_version (version) VALUES (3)`)
	exec(t, dsn, `INSERT INTO gate_enrolments (flight, pass, sealed, departure, enrolled_at) VALUES ($1, 'old', 'jwe', $2, $2)`, flight, now)
	for range 2 { // the second Open finds the current version
		s = openT(t, dsn)
		var v int
		if err := s.pool.QueryRow(ctx, `SELECT MAX(version) FROM gate_schema_version`).Scan(&v); err != nil || v != SchemaVersion {
			t.Fatalf("schema version %d, %v", v, err)
		}
		s.Close()
	}
	s = openT(t, dsn)
	ref := credential.StatusRef{URI: "https://issuer.idgate.test/status/1", Index: 3}
	exp := now.Add(30 * 24 * time.Hour)
	if err := s.Enrol(ctx, gate.Enrolment{Flight: flight, Pass: "new", Sealed: "jwe", Departure: now, EnrolledAt: now, Status: ref, IDExpires: exp}); err != nil {
		t.Fatal(err)
	}
	es, err := s.Enrolments(ctx, flight)
	if err != nil || len(es) != 2 || es[0].Pass != "new" || es[0].Status != ref || !es[0].IDExpires.Equal(exp) ||
		es[1].Pass != "old" || es[1].Status != (credential.StatusRef{}) || !es[1].IDExpires.IsZero() {
		t.Fatalf("enrolments after migration: %+v %v", es, err)
	}
	if err := s.MarkBoarded(ctx, flight, "b", now, now); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("boarding record after migration: %v", err)
	}
	if err := s.Enrol(ctx, gate.Enrolment{Flight: flight, Pass: "x", Sealed: "jwe", Departure: now, EnrolledAt: now,
		Status: credential.StatusRef{URI: "u", Index: -1}}); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("negative status index: %v", err)
	}
}
