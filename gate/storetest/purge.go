package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
)

func testPurge(t *testing.T, s gate.Store) {
	ctx := t.Context()
	depB := t0.Add(10 * time.Hour)
	for _, e := range []gate.Enrolment{
		{Flight: flightA, Pass: "a1", Sealed: "x", Departure: t0, EnrolledAt: t0},
		{Flight: flightB, Pass: "b1", Sealed: "x", Departure: depB, EnrolledAt: t0},
	} {
		if err := s.Enrol(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkBoarded(ctx, flightA, "a1", t0, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkBoarded(ctx, flightB, "b1", depB, t0); err != nil {
		t.Fatal(err)
	}
	got, err := s.Purge(ctx, t0.Add(time.Hour))
	if err != nil || len(got) != 1 || got[0] != flightA {
		t.Fatalf("purged %v, %v; want [%s]", got, err, flightA)
	}
	if es, _ := s.Enrolments(ctx, flightA); len(es) != 0 {
		t.Fatalf("flight A still holds %d enrolments", len(es))
	}
	if es, _ := s.Enrolments(ctx, flightB); len(es) != 1 {
		t.Fatalf("flight B lost its enrolments")
	}
	if err := s.MarkBoarded(ctx, flightB, "b1", depB, t0); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("flight B boarding record lost: %v", err)
	}
	if got, err := s.Purge(ctx, t0.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("second purge: %v, %v", got, err)
	}
}

// A delay announced mid-boarding moves the gate's departure later: the passes that boarded
// before it must stay single use until the delayed departure has passed.
func testPurgeAfterDelay(t *testing.T, s gate.Store) {
	ctx := t.Context()
	delayed := t0.Add(2 * time.Hour)
	for _, b := range []struct {
		pass gate.PassID
		dep  time.Time
	}{{"early", t0}, {"late", delayed}} {
		if err := s.MarkBoarded(ctx, flightA, b.pass, b.dep, t0); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Purge(ctx, t0.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("purged %v, %v before the delayed departure", got, err)
	}
	if err := s.MarkBoarded(ctx, flightA, "early", t0, t0); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("early boarding freed by the purge: %v", err)
	}
	if got, err := s.Purge(ctx, delayed.Add(time.Millisecond)); err != nil || len(got) != 1 || got[0] != flightA {
		t.Fatalf("after the delayed departure: %v, %v", got, err)
	}
}

// The operator delays the gate's departure and nobody boards after that: the records of
// those who boarded before must still last until the delayed departure.
func testPurgeAfterGateDelay(t *testing.T, s gate.Store) {
	ctx := t.Context()
	f := gate.Flight{Carrier: "IG", Number: "0101", Date: "2026-11-27"}
	delayed := t0.Add(7 * time.Hour)
	if err := s.MarkBoarded(ctx, f.Key(), "early", t0, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.PutGate(ctx, gate.GateConfig{Gate: "A1", Flight: f, Boarding: false, Departure: delayed, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Purge(ctx, t0.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("purged %v, %v before the delayed departure", got, err)
	}
	if err := s.MarkBoarded(ctx, f.Key(), "early", delayed, t0); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("early boarding freed after the delay: %v", err)
	}
}
