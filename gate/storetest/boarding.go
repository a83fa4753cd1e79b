package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
)

func testGates(t *testing.T, s gate.Store) {
	ctx := t.Context()
	if _, err := s.Gate(ctx, "A1"); !errors.Is(err, gate.ErrGateNotFound) {
		t.Fatalf("unknown gate: %v", err)
	}
	g := gate.GateConfig{Gate: "A1", Flight: gate.Flight{Carrier: "IG", Number: "0101", Date: "2026-11-27"},
		Boarding: true, Departure: t0, UpdatedAt: t0.Add(-time.Hour)}
	for _, c := range []struct {
		boarding bool
		airport  string
	}{{true, "FRA"}, {false, ""}} { // second put replaces, airport included
		g.Boarding, g.Airport = c.boarding, c.airport
		if err := s.PutGate(ctx, g); err != nil {
			t.Fatal(err)
		}
		got, err := s.Gate(ctx, "A1")
		if err != nil || got.Flight != g.Flight || got.Boarding != c.boarding || got.Airport != c.airport || !got.Departure.Equal(t0) || !got.UpdatedAt.Equal(g.UpdatedAt) {
			t.Fatalf("got %+v, %v; want %+v", got, err, g)
		}
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func testSingleUse(t *testing.T, s gate.Store) {
	ctx := t.Context()
	if err := s.MarkBoarded(ctx, flightA, "p1", t0, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkBoarded(ctx, flightA, "p1", t0, t0); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("second boarding: %v", err)
	}
	if err := s.MarkBoarded(ctx, flightB, "p1", t0, t0); err != nil {
		t.Fatalf("same pass id on another flight: %v", err)
	}
}

// A request whose boarding committed but whose answer was lost is retried with its nonce
// put back: the store answers that same request boarded, and every other one not.
func testRequestThatBoarded(t *testing.T, s gate.Store) {
	ctx := t.Context()
	r1, r2 := gate.AttemptID{1}, gate.AttemptID{2}
	mark := func(pass gate.PassID, req gate.AttemptID) error {
		t.Helper()
		return s.MarkBoardedBy(ctx, flightA, pass, t0, t0, req)
	}
	if err := mark("p1", r1); err != nil {
		t.Fatal(err)
	}
	if err := mark("p1", r1); err != nil {
		t.Fatalf("the same request again: %v, want boarded", err)
	}
	if err := mark("p1", r2); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("another request: %v, want ErrAlreadyBoarded", err)
	}
	if err := s.MarkBoarded(ctx, flightA, "p1", t0, t0); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("MarkBoarded (no request): %v, want ErrAlreadyBoarded", err)
	}
	if err := s.MarkBoardedBy(ctx, flightB, "p1", t0, t0, r1); err != nil {
		t.Fatalf("same request id, pass on another flight: %v", err)
	}
	// The zero AttemptID names no request: it never matches, not even itself.
	if err := mark("p2", gate.AttemptID{}); err != nil {
		t.Fatal(err)
	}
	if err := mark("p2", gate.AttemptID{}); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("zero request again: %v, want ErrAlreadyBoarded", err)
	}
	// Distinct requests racing for one pass: exactly one boards.
	var wg sync.WaitGroup
	var won, other atomic.Int32
	for i := range 16 {
		wg.Go(func() {
			switch err := mark("p-race", gate.AttemptID{byte(10 + i)}); {
			case err == nil:
				won.Add(1)
			case !errors.Is(err, gate.ErrAlreadyBoarded):
				other.Add(1)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 || other.Load() != 0 {
		t.Fatalf("%d of 16 distinct requests boarded, %d other errors; want exactly one", won.Load(), other.Load())
	}
}

func testSingleUseConcurrent(t *testing.T, s gate.Store) {
	ctx := t.Context()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, other := 0, 0
	for range 32 {
		wg.Go(func() {
			err := s.MarkBoarded(ctx, flightA, "p-race", t0, t0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, gate.ErrAlreadyBoarded):
				other++
			}
		})
	}
	wg.Wait()
	if ok != 1 || other != 0 {
		t.Fatalf("%d successes, %d other errors; want exactly one success", ok, other)
	}
}
