package gate_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// batchWorld is a Service over a World with one boarding gate for its flight.
type batchWorld struct {
	w     *gatetest.World
	svc   *gate.Service
	store gate.Store
}

func newBatchWorld(t *testing.T, wrap func(gate.Store) gate.Store) *batchWorld {
	t.Helper()
	w := gatetest.New(t)
	cfg := w.Config(t)
	if wrap != nil {
		cfg.Store = wrap(cfg.Store)
	}
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutGate(context.Background(), "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	return &batchWorld{w: w, svc: svc, store: cfg.Store}
}

// item is an enrolment of p with pass sequence seq, bound to a fresh check-in nonce.
func (b *batchWorld) item(t *testing.T, p *gatetest.Passenger, seq int) *gate.EnrolRequest {
	t.Helper()
	n, err := b.svc.CheckinNonce(context.Background(), b.w.Flight)
	if err != nil {
		t.Fatal(err)
	}
	return &gate.EnrolRequest{Presentation: p.Present(t, n), BCBP: b.w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: seq})}
}

func (b *batchWorld) identify(t *testing.T, p *gatetest.Passenger) *gate.Decision {
	t.Helper()
	live, _ := b.w.Near(p.Face, 0.1).EncodeString()
	return b.svc.Identify(context.Background(), "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: live}})
}

func (b *batchWorld) enrolled(t *testing.T) int {
	t.Helper()
	es, err := b.store.Enrolments(context.Background(), b.w.Flight.Key())
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func firstReason(d *gate.Decision) gate.Reason {
	if len(d.Reasons) == 0 {
		return ""
	}
	return d.Reasons[0]
}

// TestEnrolBatchMixed: every item is decided on its own, in request order, with Enrol's
// checks; only the allowed ones are stored and identify.
func TestEnrolBatchMixed(t *testing.T) {
	for _, loaded := range []bool{false, true} {
		name := "gallery not loaded"
		if loaded {
			name = "gallery loaded"
		}
		t.Run(name, func(t *testing.T) {
			b := newBatchWorld(t, nil)
			ctx := context.Background()
			var ps []*gatetest.Passenger
			for range 4 {
				ps = append(ps, b.w.Passenger(t, "Mustermann", "Erika"))
			}
			stranger := b.w.Passenger(t, "Gabler", "Max")
			if loaded { // an Identify loads the (empty) gallery first; the batch must update it
				if d := b.identify(t, ps[0]); firstReason(d) != gate.ReasonNoMatch {
					t.Fatalf("identify before enrolment: %+v", d)
				}
			}
			reused := b.item(t, ps[3], 4)
			badDep := b.item(t, ps[2], 3)
			far := time.Now().Add(30 * 24 * time.Hour)
			badDep.Departure = &far
			reqs := []*gate.EnrolRequest{
				b.item(t, ps[0], 1),
				b.item(t, stranger, 9), // pass in Erika's name
				badDep,
				nil,
				b.item(t, ps[1], 2),
				reused,
			}
			if d := b.svc.Enrol(ctx, b.w.Flight, reused); !d.Allowed() { // consumes its nonce
				t.Fatalf("single enrol: %+v", d)
			}
			want := []gate.Reason{"", gate.ReasonNameMismatch, gate.ReasonMalformedRequest, gate.ReasonMalformedRequest, "", gate.ReasonNonceInvalid}
			ds := b.svc.EnrolBatch(ctx, b.w.Flight, reqs)
			if len(ds) != len(want) {
				t.Fatalf("%d decisions for %d items", len(ds), len(want))
			}
			for i, d := range ds {
				if got := firstReason(d); got != want[i] || d.Allowed() != (want[i] == "") {
					t.Errorf("item %d: %+v, want %q", i, d, want[i])
				}
				if d.Flight == nil || *d.Flight != b.w.Flight {
					t.Errorf("item %d: flight %v", i, d.Flight)
				}
			}
			if ds[0].PassRef == "" || ds[0].PassRef == ds[4].PassRef {
				t.Errorf("pass refs %q %q", ds[0].PassRef, ds[4].PassRef)
			}
			if n := b.enrolled(t); n != 3 { // two from the batch, one single
				t.Fatalf("%d enrolments stored, want 3", n)
			}
			for _, p := range []*gatetest.Passenger{ps[0], ps[1], ps[3]} {
				if d := b.identify(t, p); !d.Allowed() {
					t.Errorf("identify enrolled: %+v", d)
				}
			}
			if d := b.identify(t, ps[2]); firstReason(d) != gate.ReasonNoMatch {
				t.Errorf("identify of a denied item: %+v", d)
			}
		})
	}
}

// TestEnrolBatchDuplicateBooking: two items for one booking are both allowed and the later
// replaces the earlier, as two Enrol calls in order would.
func TestEnrolBatchDuplicateBooking(t *testing.T) {
	b := newBatchWorld(t, nil)
	first, second := b.w.Passenger(t, "Mustermann", "Erika"), b.w.Passenger(t, "Mustermann", "Erika")
	ds := b.svc.EnrolBatch(context.Background(), b.w.Flight, []*gate.EnrolRequest{b.item(t, first, 7), b.item(t, second, 7)})
	if !ds[0].Allowed() || !ds[1].Allowed() || ds[0].PassRef != ds[1].PassRef {
		t.Fatalf("decisions %+v %+v", ds[0], ds[1])
	}
	if n := b.enrolled(t); n != 1 {
		t.Fatalf("%d enrolments for one booking", n)
	}
	if d := b.identify(t, first); firstReason(d) != gate.ReasonNoMatch {
		t.Fatalf("replaced template still identifies: %+v", d)
	}
	if d := b.identify(t, second); !d.Allowed() {
		t.Fatalf("later template: %+v", d)
	}
}

// failingBatch is a Store whose EnrolBatch fails: nothing is written.
type failingBatch struct{ gate.Store }

func (failingBatch) EnrolBatch(context.Context, []gate.Enrolment) error {
	return errors.New("disk full")
}

func TestEnrolBatchStoreFailure(t *testing.T) {
	t.Run("transaction", func(t *testing.T) {
		b := newBatchWorld(t, func(s gate.Store) gate.Store { return failingBatch{s} })
		p1, p2 := b.w.Passenger(t, "Mustermann", "Erika"), b.w.Passenger(t, "Mustermann", "Erika")
		bad := b.item(t, p2, 2)
		bad.BCBP = "M1GARBAGE"
		ds := b.svc.EnrolBatch(context.Background(), b.w.Flight, []*gate.EnrolRequest{b.item(t, p1, 1), bad, b.item(t, p2, 3)})
		for i, want := range []gate.Reason{gate.ReasonInternal, gate.ReasonPassMalformed, gate.ReasonInternal} {
			if ds[i].Allowed() || firstReason(ds[i]) != want {
				t.Errorf("item %d: %+v, want %s", i, ds[i], want)
			}
		}
		if n := b.enrolled(t); n != 0 {
			t.Fatalf("%d enrolments written by a failed transaction", n)
		}
		if d := b.identify(t, p1); firstReason(d) != gate.ReasonNoMatch {
			t.Fatalf("identify after failed batch: %+v", d)
		}
	})
}

func TestEnrolBatchBounds(t *testing.T) {
	b := newBatchWorld(t, nil)
	ctx := context.Background()
	p := b.w.Passenger(t, "Mustermann", "Erika")
	if ds := b.svc.EnrolBatch(ctx, b.w.Flight, nil); len(ds) != 0 {
		t.Fatalf("empty batch: %v", ds)
	}
	item := b.item(t, p, 1)
	big := make([]*gate.EnrolRequest, gate.MaxEnrolBatch+1)
	for i := range big {
		big[i] = item
	}
	for i, d := range b.svc.EnrolBatch(ctx, b.w.Flight, big) {
		if d.Allowed() || firstReason(d) != gate.ReasonMalformedRequest {
			t.Fatalf("item %d of an oversized batch: %+v", i, d)
		}
	}
	// A cancelled batch decides nothing and consumes no nonce: the same item enrols later.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if d := b.svc.EnrolBatch(cancelled, b.w.Flight, []*gate.EnrolRequest{item})[0]; firstReason(d) != gate.ReasonInternal {
		t.Fatalf("cancelled: %+v", d)
	}
	if d := b.svc.EnrolBatch(ctx, b.w.Flight, []*gate.EnrolRequest{item})[0]; !d.Allowed() {
		t.Fatalf("after the cancelled batch: %+v", d)
	}
	if n := b.enrolled(t); n != 1 {
		t.Fatalf("%d enrolments", n)
	}
}
