// Package storetest is the conformance suite every gate.Store implementation must pass:
// gate round trips, single-use boarding (also under concurrency), enrolment replace, batch
// enrolment (for stores implementing gate.BatchEnroller), retention purge and the not-found
// sentinel.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/gate"
)

// Run runs the suite; newStore returns an empty store (closed by the caller's cleanup).
func Run(t *testing.T, newStore func(t *testing.T) gate.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	flightA, flightB := "IG0101/2026-11-27", "IG0202/2026-11-27"

	t.Run("gates", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Gate(ctx, "A1"); !errors.Is(err, gate.ErrGateNotFound) {
			t.Fatalf("unknown gate: %v", err)
		}
		g := gate.GateConfig{Gate: "A1", Flight: gate.Flight{Carrier: "IG", Number: "0101", Date: "2026-11-27"},
			Boarding: true, Departure: t0, UpdatedAt: t0.Add(-time.Hour)}
		for _, boarding := range []bool{true, false} { // second put replaces
			g.Boarding = boarding
			if err := s.PutGate(ctx, g); err != nil {
				t.Fatal(err)
			}
			got, err := s.Gate(ctx, "A1")
			if err != nil || got.Flight != g.Flight || got.Boarding != boarding || !got.Departure.Equal(t0) || !got.UpdatedAt.Equal(g.UpdatedAt) {
				t.Fatalf("got %+v, %v; want %+v", got, err, g)
			}
		}
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("single use", func(t *testing.T) {
		s := newStore(t)
		if err := s.MarkBoarded(ctx, flightA, "p1", t0, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkBoarded(ctx, flightA, "p1", t0, t0); !errors.Is(err, gate.ErrAlreadyBoarded) {
			t.Fatalf("second boarding: %v", err)
		}
		if err := s.MarkBoarded(ctx, flightB, "p1", t0, t0); err != nil {
			t.Fatalf("same pass id on another flight: %v", err)
		}
	})

	// A request whose boarding committed but whose answer was lost is retried with its nonce
	// put back: the store answers that same request boarded, and every other one not.
	t.Run("the request that boarded", func(t *testing.T) {
		s := newStore(t)
		rb, ok := s.(gate.RequestBoarder)
		if !ok {
			t.Skip("the store does not record requests (gate.RequestBoarder)")
		}
		r1, r2 := gate.RequestID{1}, gate.RequestID{2}
		mark := func(pass gate.PassID, req gate.RequestID) error {
			t.Helper()
			return rb.MarkBoardedBy(ctx, flightA, pass, t0, t0, req)
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
		if err := rb.MarkBoardedBy(ctx, flightB, "p1", t0, t0, r1); err != nil {
			t.Fatalf("same request id, pass on another flight: %v", err)
		}
		// The zero RequestID names no request: it never matches, not even itself.
		if err := mark("p2", gate.RequestID{}); err != nil {
			t.Fatal(err)
		}
		if err := mark("p2", gate.RequestID{}); !errors.Is(err, gate.ErrAlreadyBoarded) {
			t.Fatalf("zero request again: %v, want ErrAlreadyBoarded", err)
		}
		// Distinct requests racing for one pass: exactly one boards.
		var wg sync.WaitGroup
		var won, other atomic.Int32
		for i := range 16 {
			wg.Go(func() {
				switch err := mark("p-race", gate.RequestID{byte(10 + i)}); {
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
	})

	t.Run("single use under concurrency", func(t *testing.T) {
		s := newStore(t)
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
	})

	t.Run("enrol and replace", func(t *testing.T) {
		s := newStore(t)
		for i := range 3 {
			e := gate.Enrolment{Flight: flightA, Pass: gate.PassID(fmt.Sprintf("p%d", i)), Sealed: "jwe-0", Departure: t0, EnrolledAt: t0}
			if err := s.Enrol(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Enrol(ctx, gate.Enrolment{Flight: flightA, Pass: "p1", Sealed: "jwe-1", Departure: t0, EnrolledAt: t0}); err != nil {
			t.Fatal(err)
		}
		es, err := s.Enrolments(ctx, flightA)
		if err != nil || len(es) != 3 || es[1].Pass != "p1" || es[1].Sealed != "jwe-1" || !es[1].Departure.Equal(t0) {
			t.Fatalf("enrolments = %+v, %v", es, err)
		}
		if es, err := s.Enrolments(ctx, flightB); err != nil || len(es) != 0 {
			t.Fatalf("other flight: %+v, %v", es, err)
		}
	})

	// Identify checks the enrolled ID's status at boarding time from the reference kept with
	// the enrolment: every write path keeps it, a replacement replaces it, and an enrolment
	// without one reads back without one (never another row's).
	t.Run("enrolment status reference", func(t *testing.T) {
		s := newStore(t)
		const uri = "https://issuer.idgate.test/status/7"
		ref := func(i int) credential.StatusRef { return credential.StatusRef{URI: uri, Index: i} }
		for _, e := range []gate.Enrolment{
			{Flight: flightA, Pass: "p0", Sealed: "x", Departure: t0, EnrolledAt: t0, Status: ref(0)},
			{Flight: flightA, Pass: "p1", Sealed: "x", Departure: t0, EnrolledAt: t0, Status: ref(131071)},
			{Flight: flightA, Pass: "p2", Sealed: "x", Departure: t0, EnrolledAt: t0}, // none
			{Flight: flightA, Pass: "p3", Sealed: "x", Departure: t0, EnrolledAt: t0, Status: ref(5)},
			{Flight: flightA, Pass: "p3", Sealed: "x", Departure: t0, EnrolledAt: t0.Add(time.Second), Status: ref(6)}, // reissued ID
		} {
			if err := s.Enrol(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		want := map[gate.PassID]credential.StatusRef{"p0": ref(0), "p1": ref(131071), "p2": {}, "p3": ref(6)}
		check := func(what string, es []gate.Enrolment, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			for _, e := range es {
				if w, ok := want[e.Pass]; !ok || e.Status != w {
					t.Errorf("%s: %s has status %+v, want %+v", what, e.Pass, e.Status, w)
				}
			}
		}
		es, err := s.Enrolments(ctx, flightA)
		if len(es) != 4 {
			t.Fatalf("enrolments = %+v, %v", es, err)
		}
		check("Enrolments", es, err)
		if sn, ok := s.(gate.EnrolmentSincer); ok {
			es, err := sn.EnrolmentsSince(ctx, flightA, t0)
			check("EnrolmentsSince", es, err)
		}
		if b, ok := s.(gate.BatchEnroller); ok {
			want["p2"], want["p4"] = ref(9), ref(10)
			if err := b.EnrolBatch(ctx, []gate.Enrolment{
				{Flight: flightA, Pass: "p2", Sealed: "x", Departure: t0, EnrolledAt: t0, Status: ref(9)},
				{Flight: flightA, Pass: "p4", Sealed: "x", Departure: t0, EnrolledAt: t0, Status: ref(10)},
			}); err != nil {
				t.Fatal(err)
			}
			es, err := s.Enrolments(ctx, flightA)
			check("Enrolments after EnrolBatch", es, err)
		}
	})

	t.Run("enrol batch", func(t *testing.T) {
		s := newStore(t)
		b, ok := s.(gate.BatchEnroller)
		if !ok {
			t.Skip("store has no EnrolBatch (gate falls back to one Enrol per item)")
		}
		if err := s.Enrol(ctx, gate.Enrolment{Flight: flightA, Pass: "p0", Sealed: "old", Departure: t0, EnrolledAt: t0}); err != nil {
			t.Fatal(err)
		}
		batch := []gate.Enrolment{
			{Flight: flightA, Pass: "p0", Sealed: "new", Departure: t0.Add(time.Hour), EnrolledAt: t0}, // replaces a stored row
			{Flight: flightA, Pass: "p1", Sealed: "first", Departure: t0, EnrolledAt: t0},
			{Flight: flightB, Pass: "p1", Sealed: "other flight", Departure: t0, EnrolledAt: t0},
			{Flight: flightA, Pass: "p1", Sealed: "last", Departure: t0, EnrolledAt: t0}, // later wins within the batch
		}
		if err := b.EnrolBatch(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := b.EnrolBatch(ctx, nil); err != nil {
			t.Fatalf("empty batch: %v", err)
		}
		es, err := s.Enrolments(ctx, flightA)
		if err != nil || len(es) != 2 || es[0].Sealed != "new" || !es[0].Departure.Equal(t0.Add(time.Hour)) || es[1].Sealed != "last" {
			t.Fatalf("flight A enrolments = %+v, %v", es, err)
		}
		if es, err := s.Enrolments(ctx, flightB); err != nil || len(es) != 1 || es[0].Sealed != "other flight" {
			t.Fatalf("flight B enrolments = %+v, %v", es, err)
		}
		many := make([]gate.Enrolment, 1000)
		for i := range many {
			many[i] = gate.Enrolment{Flight: flightB, Pass: gate.PassID(fmt.Sprintf("m%04d", i)), Sealed: "x", Departure: t0, EnrolledAt: t0}
		}
		if err := b.EnrolBatch(ctx, many); err != nil {
			t.Fatal(err)
		}
		if es, err := s.Enrolments(ctx, flightB); err != nil || len(es) != 1001 {
			t.Fatalf("flight B after 1000 more: %d, %v", len(es), err)
		}
	})

	t.Run("purge", func(t *testing.T) {
		s := newStore(t)
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
	})

	t.Run("enrolments since", func(t *testing.T) {
		s := newStore(t)
		es, ok := s.(gate.EnrolmentSincer)
		if !ok {
			t.Skip("the store does not list enrolments by time (gate.EnrolmentSincer)")
		}
		for i, e := range []gate.Enrolment{
			{Flight: flightA, Pass: "early", Sealed: "x", Departure: t0, EnrolledAt: t0.Add(-time.Hour)},
			{Flight: flightA, Pass: "late", Sealed: "x", Departure: t0, EnrolledAt: t0},
			{Flight: flightB, Pass: "other", Sealed: "x", Departure: t0, EnrolledAt: t0},
			{Flight: flightA, Pass: "early", Sealed: "y", Departure: t0, EnrolledAt: t0.Add(time.Minute)}, // re-enrolled
		} {
			if err := s.Enrol(ctx, e); err != nil {
				t.Fatalf("enrolment %d: %v", i, err)
			}
		}
		got, err := es.EnrolmentsSince(ctx, flightA, t0)
		if err != nil || len(got) != 2 || got[0].Pass != "early" || got[0].Sealed != "y" || got[1].Pass != "late" {
			t.Fatalf("since t0: %+v, %v; want the re-enrolled early (y) and late", got, err)
		}
		if got, err := es.EnrolmentsSince(ctx, flightA, t0.Add(2*time.Minute)); err != nil || len(got) != 0 {
			t.Fatalf("since later: %+v, %v", got, err)
		}
	})

	t.Run("nonces", func(t *testing.T) {
		ns, ok := newStore(t).(gate.NonceStore)
		if !ok {
			t.Skip("the store keeps no nonces (gate.NonceStore)")
		}
		exp := t0.Add(2 * time.Minute)
		for _, n := range []string{"n1", "n2", "old"} {
			e := exp
			if n == "old" {
				e = t0.Add(-time.Second)
			}
			if err := ns.PutNonce(ctx, "gate/A1", n, e); err != nil {
				t.Fatal(err)
			}
		}
		take := func(scope, n string, at time.Time) bool {
			t.Helper()
			got, ok, err := ns.TakeNonce(ctx, scope, n, at)
			if err != nil {
				t.Fatal(err)
			}
			if ok && !got.Equal(exp) {
				t.Fatalf("take %s returned expiry %v, want %v", n, got, exp)
			}
			return ok
		}
		if take("gate/B2", "n1", t0) {
			t.Fatal("a nonce was taken under another scope")
		}
		if !take("gate/A1", "n1", t0) || take("gate/A1", "n1", t0) {
			t.Fatal("n1: want exactly one take")
		}
		if take("gate/A1", "n2", exp) {
			t.Fatal("n2 taken at its expiry")
		}
		if take("gate/A1", "unknown", t0) {
			t.Fatal("unknown nonce taken")
		}
		// A taken nonce put back with the expiry its take returned is single use again.
		if err := ns.PutNonce(ctx, "gate/A1", "n1", exp); err != nil {
			t.Fatal(err)
		}
		if !take("gate/A1", "n1", t0) || take("gate/A1", "n1", t0) {
			t.Fatal("n1 put back: want exactly one more take")
		}
		if err := ns.PurgeNonces(ctx, t0); err != nil {
			t.Fatal(err)
		}
		if take("gate/A1", "old", t0.Add(-time.Hour)) {
			t.Fatal("a nonce that expired before the purge survived it")
		}
		// Concurrent takes of one nonce: exactly one wins.
		if err := ns.PutNonce(ctx, "gate/A1", "race", exp); err != nil {
			t.Fatal(err)
		}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, ok, err := ns.TakeNonce(ctx, "gate/A1", "race", t0); err == nil && ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d concurrent takes won, want 1", wins.Load())
		}
	})

	// A delay announced mid-boarding moves the gate's departure later: the passes that boarded
	// before it must stay single use until the delayed departure has passed.
	t.Run("purge after a delay", func(t *testing.T) {
		s := newStore(t)
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
	})

	// The operator delays the gate's departure and nobody boards after that: the records of
	// those who boarded before must still last until the delayed departure.
	t.Run("purge after a gate delay", func(t *testing.T) {
		s := newStore(t)
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
	})
}
