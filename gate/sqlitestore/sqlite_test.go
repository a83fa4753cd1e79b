package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/storetest"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) gate.Store { return open(t, filepath.Join(t.TempDir(), "gate.db")) })
}

// Single use must survive a restart: that is why the store is persistent.
func TestBoardingSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gate.db")
	ctx := context.Background()
	s := open(t, path)
	now := time.Now()
	if err := s.MarkBoarded(ctx, "IG0101/2026-11-27", "p", now, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Enrol(ctx, gate.Enrolment{Flight: "IG0101/2026-11-27", Pass: "p", Sealed: "jwe", Departure: now, EnrolledAt: now}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path)
	if err := s.MarkBoarded(ctx, "IG0101/2026-11-27", "p", now, now); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("after reopen: %v", err)
	}
	if es, err := s.Enrolments(ctx, "IG0101/2026-11-27"); err != nil || len(es) != 1 || es[0].Sealed != "jwe" {
		t.Fatalf("enrolments after reopen: %v %v", es, err)
	}
}

// TestTimesOutsideNanosecondRange: times are stored in milliseconds, so a date past 2262 (the
// end of int64 nanoseconds) reads back exactly and purges in order.
func TestTimesOutsideNanosecondRange(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "gate.db"))
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.Enrol(ctx, gate.Enrolment{Flight: "IG0101/2026-11-27", Pass: "p", Sealed: "jwe", Departure: far, EnrolledAt: far}); err != nil {
		t.Fatal(err)
	}
	es, err := s.Enrolments(ctx, "IG0101/2026-11-27")
	if err != nil || len(es) != 1 || !es[0].Departure.Equal(far) {
		t.Fatalf("read back %v, %v; want departure %v", es, err, far)
	}
	if got, err := s.Purge(ctx, time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil || len(got) != 0 {
		t.Fatalf("purge before departure: %v %v", got, err)
	}
	if got, err := s.Purge(ctx, far.Add(time.Hour)); err != nil || len(got) != 1 {
		t.Fatalf("purge after departure: %v %v", got, err)
	}
}

// TestMigratesNanoseconds: a version 0 file (Unix nanoseconds) is converted once on Open.
func TestMigratesNanoseconds(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gate.db")
	s := open(t, path)
	dep := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`PRAGMA user_version = 0`,
		fmt.Sprintf(`INSERT INTO enrolments VALUES ('F', 'p', 'jwe', %d, %d)`, dep.UnixNano(), dep.UnixNano()),
		fmt.Sprintf(`INSERT INTO gates VALUES ('A1', 'IG', '0101', '2026-11-27', 1, %d, %d)`, dep.UnixNano(), dep.UnixNano()),
	} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	for range 2 { // the second Open must not divide again
		s = open(t, path)
		es, err := s.Enrolments(ctx, "F")
		if err != nil || len(es) != 1 || !es[0].Departure.Equal(dep) || !es[0].EnrolledAt.Equal(dep) {
			t.Fatalf("enrolment after migration: %v %v", es, err)
		}
		g, err := s.Gate(ctx, "A1")
		if err != nil || !g.Departure.Equal(dep) || !g.UpdatedAt.Equal(dep) {
			t.Fatalf("gate after migration: %+v %v", g, err)
		}
		s.Close()
	}
}

// TestEnrolBatchRollsBack: a row that fails mid-batch leaves nothing of the batch written.
func TestEnrolBatchRollsBack(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "gate.db"))
	if _, err := s.db.Exec(`CREATE TRIGGER poison BEFORE INSERT ON enrolments WHEN NEW.pass = 'poison'
		BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	const flight = "IG0101/2026-11-27"
	if err := s.Enrol(ctx, gate.Enrolment{Flight: flight, Pass: "kept", Sealed: "old", Departure: now, EnrolledAt: now}); err != nil {
		t.Fatal(err)
	}
	batch := []gate.Enrolment{
		{Flight: flight, Pass: "kept", Sealed: "new", Departure: now, EnrolledAt: now},
		{Flight: flight, Pass: "a", Sealed: "x", Departure: now, EnrolledAt: now},
		{Flight: flight, Pass: "poison", Sealed: "x", Departure: now, EnrolledAt: now},
		{Flight: flight, Pass: "b", Sealed: "x", Departure: now, EnrolledAt: now},
	}
	if err := s.EnrolBatch(ctx, batch); err == nil {
		t.Fatal("poisoned batch committed")
	}
	es, err := s.Enrolments(ctx, flight)
	if err != nil || len(es) != 1 || es[0].Sealed != "old" {
		t.Fatalf("after rollback: %+v, %v", es, err)
	}
	// The connection is usable again and the same batch without the bad row commits.
	if err := s.EnrolBatch(ctx, append(batch[:2:2], batch[3])); err != nil {
		t.Fatal(err)
	}
	if es, _ := s.Enrolments(ctx, flight); len(es) != 3 || es[2].Sealed != "new" {
		t.Fatalf("after retry: %+v", es)
	}
}
