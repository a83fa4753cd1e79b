package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
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

// v1Layout is the schema of versions 0 and 1, for migration tests.
const v1Layout = `
CREATE TABLE gates (id TEXT PRIMARY KEY, carrier TEXT NOT NULL, number TEXT NOT NULL, date TEXT NOT NULL,
	boarding INTEGER NOT NULL, departure INTEGER NOT NULL, updated INTEGER NOT NULL);
CREATE TABLE boarded (flight TEXT NOT NULL, pass TEXT NOT NULL, departure INTEGER NOT NULL, at INTEGER NOT NULL,
	PRIMARY KEY (flight, pass));
CREATE INDEX boarded_departure ON boarded (departure);
CREATE TABLE enrolments (flight TEXT NOT NULL, pass TEXT NOT NULL, sealed TEXT NOT NULL, departure INTEGER NOT NULL,
	enrolled INTEGER NOT NULL, PRIMARY KEY (flight, pass));
CREATE INDEX enrolments_departure ON enrolments (departure);
`

// writeOldFile makes a version v (0: nanoseconds, 1: milliseconds, 2: version 1 moved to the
// one-B-tree boarding layout, without the request column, 3: with it, without the
// enrolments' status reference) file with one gate, one enrolment and two boarding records of
// flight F (departures dep and dep-1h).
func writeOldFile(t *testing.T, path string, v int, dep time.Time) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	unit := func(tm time.Time) int64 { return tm.UnixMilli() }
	if v == 0 {
		unit = func(tm time.Time) int64 { return tm.UnixNano() }
	}
	d, earlier := unit(dep), unit(dep.Add(-time.Hour))
	qs := []string{
		v1Layout,
		fmt.Sprintf(`INSERT INTO enrolments VALUES ('F', 'p', 'jwe', %d, %d)`, d, d),
		fmt.Sprintf(`INSERT INTO gates VALUES ('A1', 'IG', '0101', '2026-11-27', 1, %d, %d)`, d, d),
		fmt.Sprintf(`INSERT INTO boarded VALUES ('F', 'b1', %d, %d), ('F', 'b2', %d, %d)`, d, d, earlier, d),
	}
	if v >= 2 {
		qs = append(qs, v1ToV2...)
	}
	if v >= 3 {
		qs = append(qs, v2ToV3...)
	}
	if v >= 4 {
		qs = append(qs, v3ToV4...)
	}
	if v >= 5 {
		qs = append(qs, v4ToV5...)
	}
	for _, q := range append(qs, fmt.Sprintf(`PRAGMA user_version = %d`, v)) {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMigratesOldFiles: version 0 (Unix nanoseconds), 1 to 5 files are converted once
// on Open: times in milliseconds, boarding records kept (still single use, also for a request
// id: an old record names no request) and purged by their flight's latest departure; an old
// enrolment has no status reference (Identify denies it status_unavailable) and no ID expiry
// (denied credential_expired), and a new one keeps its own.
func TestMigratesOldFiles(t *testing.T) {
	ctx := context.Background()
	dep := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, v := range []int{0, 1, 2, 3, 4, 5} {
		t.Run(fmt.Sprintf("version %d", v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gate.db")
			writeOldFile(t, path, v, dep)
			for range 2 { // the second Open must not convert again
				s := open(t, path)
				es, err := s.Enrolments(ctx, "F")
				if err != nil || len(es) != 1 || !es[0].Departure.Equal(dep) || !es[0].EnrolledAt.Equal(dep) || es[0].Status != (credential.StatusRef{}) || !es[0].IDExpires.IsZero() {
					t.Fatalf("enrolment after migration: %v %v", es, err)
				}
				g, err := s.Gate(ctx, "A1")
				if err != nil || !g.Departure.Equal(dep) || !g.UpdatedAt.Equal(dep) || g.Airport != "" {
					t.Fatalf("gate after migration: %+v %v", g, err)
				}
				for _, p := range []gate.PassID{"b1", "b2"} {
					if err := s.MarkBoarded(ctx, "F", p, dep, dep); !errors.Is(err, gate.ErrAlreadyBoarded) {
						t.Fatalf("%s boarded again after migration: %v", p, err)
					}
					if err := s.MarkBoardedBy(ctx, "F", p, dep, dep, gate.AttemptID{9}); !errors.Is(err, gate.ErrAlreadyBoarded) {
						t.Fatalf("%s boarded again by a request id after migration: %v", p, err)
					}
				}
				var version int
				if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != schemaVersion {
					t.Fatalf("user_version %d %v", version, err)
				}
				s.Close()
			}
			s := open(t, path)
			defer s.Close()
			ref := credential.StatusRef{URI: "https://issuer.idgate.test/status/1", Index: 3}
			exp := dep.Add(30 * 24 * time.Hour)
			if err := s.Enrol(ctx, gate.Enrolment{Flight: "F", Pass: "q", Sealed: "jwe", Departure: dep, EnrolledAt: dep, Status: ref, IDExpires: exp}); err != nil {
				t.Fatal(err)
			}
			if es, err := s.Enrolments(ctx, "F"); err != nil || len(es) != 2 || es[1].Status != ref || !es[1].IDExpires.Equal(exp) {
				t.Fatalf("new enrolment in a migrated file: %+v %v", es, err)
			}
			// Kept until the flight's latest departure (dep, not b2's dep-1h) has passed.
			if got, err := s.Purge(ctx, dep); err != nil || len(got) != 0 {
				t.Fatalf("purge at departure: %v %v", got, err)
			}
			if got, err := s.Purge(ctx, dep.Add(time.Millisecond)); err != nil || len(got) != 1 || got[0] != "F" {
				t.Fatalf("purge after departure: %v %v", got, err)
			}
			if err := s.MarkBoarded(ctx, "F", "b1", dep, dep); err != nil {
				t.Fatalf("record survived the purge: %v", err)
			}
		})
	}
}

// TestNewerSchemaRefused: a file from a newer build is not opened (nor changed).
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gate.db")
	s := open(t, path)
	if _, err := s.db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("opened a newer schema")
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

// TestDelayedDepartureKeepsRecords: a flight's boarding records are purged by its latest
// departure, so a delay announced mid-boarding keeps the early boardings' records too.
func TestDelayedDepartureKeepsRecords(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "gate.db"))
	dep := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	if err := s.MarkBoarded(ctx, "F", "early", dep, dep); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkBoarded(ctx, "F", "late", dep.Add(2*time.Hour), dep); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkBoarded(ctx, "F", "again", dep, dep); err != nil { // an earlier time does not pull it back
		t.Fatal(err)
	}
	if got, err := s.Purge(ctx, dep.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("purged before the delayed departure: %v %v", got, err)
	}
	if err := s.MarkBoarded(ctx, "F", "early", dep, dep); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("early boarding forgotten: %v", err)
	}
	if got, err := s.Purge(ctx, dep.Add(3*time.Hour)); err != nil || len(got) != 1 {
		t.Fatalf("after the delayed departure: %v %v", got, err)
	}
}

// The default fsyncs every commit (synchronous=FULL, 2) on the writing connection and the
// checkpointer's; SurvivesProcessCrash is NORMAL (1); anything else is refused.
func TestDurabilitySetting(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want int
	}{{Options{}, 2}, {Options{Durability: SurvivesPowerLoss}, 2}, {Options{Durability: SurvivesProcessCrash}, 1}} {
		s, err := OpenWith(filepath.Join(t.TempDir(), "gate.db"), tc.o)
		if err != nil {
			t.Fatal(err)
		}
		for name, db := range map[string]*sql.DB{"writer": s.db, "checkpointer": s.ckpt.db} {
			var got int
			if err := db.QueryRow(`PRAGMA synchronous`).Scan(&got); err != nil || got != tc.want {
				t.Errorf("%+v %s: synchronous %d (%v), want %d", tc.o, name, got, err, tc.want)
			}
		}
		s.Close()
	}
	if _, err := OpenWith(filepath.Join(t.TempDir(), "gate.db"), Options{Durability: 7}); err == nil {
		t.Fatal("unknown durability accepted")
	}
}
