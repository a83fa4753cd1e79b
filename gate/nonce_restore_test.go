package gate_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// flakyStore is a MemoryStore (nonces included) whose writes of boardings and enrolments
// fail while broken is set: nothing is written.
type flakyStore struct {
	*gate.MemoryStore
	broken atomic.Bool
}

var errDiskFull = errors.New("disk full")

func (f *flakyStore) MarkBoarded(ctx context.Context, flight string, p gate.PassID, dep, at time.Time) error {
	return f.MarkBoardedBy(ctx, flight, p, dep, at, gate.AttemptID{})
}

func (f *flakyStore) MarkBoardedBy(ctx context.Context, flight string, p gate.PassID, dep, at time.Time, req gate.AttemptID) error {
	if f.broken.Load() {
		return errDiskFull
	}
	return f.MemoryStore.MarkBoardedBy(ctx, flight, p, dep, at, req)
}

func (f *flakyStore) Enrol(ctx context.Context, e gate.Enrolment) error {
	if f.broken.Load() {
		return errDiskFull
	}
	return f.MemoryStore.Enrol(ctx, e)
}

func (f *flakyStore) EnrolBatch(ctx context.Context, es []gate.Enrolment) error {
	if f.broken.Load() {
		return errDiskFull
	}
	return f.MemoryStore.EnrolBatch(ctx, es)
}

// TestStoreFailureKeepsNonce: a request that passed every check but whose boarding or
// enrolment the Store failed to write is denied internal_error, and its nonce is put back:
// once the Store works again the very same request (same presentation, same nonce) is
// allowed, exactly once. With the in-memory nonces and with nonces in a shared Store.
func TestStoreFailureKeepsNonce(t *testing.T) {
	for _, shared := range []bool{false, true} {
		name := "memory nonces"
		if shared {
			name = "shared nonces"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := gatetest.New(t)
			cfg := w.Config(t)
			store := &flakyStore{MemoryStore: gate.NewMemoryStore()}
			cfg.Store, cfg.SharedNonces = store, shared
			svc, err := gate.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
				t.Fatal(err)
			}
			p := w.Passenger(t, "Mustermann", "Erika")
			checkinNonce := func() gate.Nonce {
				n, err := svc.CheckinNonce(ctx, w.Flight)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			// Each send returns (allowed, first reason).
			sends := map[string]func() (bool, gate.Reason){}
			{
				n, err := svc.GateNonce(ctx, "A1")
				if err != nil {
					t.Fatal(err)
				}
				r := &gate.VerifyRequest{Presentation: p.Present(t, n), BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 1}),
					LiveFace: gate.LiveFace{Template: w.LiveTemplate(t, p)}}
				sends["verify"] = func() (bool, gate.Reason) { d := svc.Verify(ctx, "A1", r); return d.Allowed(), firstReason(d) }
			}
			{
				r := &gate.EnrolRequest{Presentation: p.Present(t, checkinNonce()), BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 2})}
				sends["enrol"] = func() (bool, gate.Reason) { d := svc.Enrol(ctx, w.Flight, r); return d.Allowed(), firstReason(d) }
			}
			{
				rs := []*gate.EnrolRequest{
					{Presentation: p.Present(t, checkinNonce()), BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 3})},
					{Presentation: p.Present(t, checkinNonce()), BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 4})},
				}
				sends["enrol-batch"] = func() (bool, gate.Reason) {
					ds := svc.EnrolBatch(ctx, w.Flight, rs)
					for _, d := range ds[1:] {
						if d.Allowed() != ds[0].Allowed() || firstReason(d) != firstReason(ds[0]) {
							t.Fatalf("batch items decided differently: %+v %+v", ds[0], d)
						}
					}
					return ds[0].Allowed(), firstReason(ds[0])
				}
			}
			for _, route := range []string{"verify", "enrol", "enrol-batch"} {
				send := sends[route]
				store.broken.Store(true)
				if ok, r := send(); ok || r != gate.ReasonInternal {
					t.Fatalf("%s, store failing: allowed %v %s, want internal_error", route, ok, r)
				}
				store.broken.Store(false)
				if ok, r := send(); !ok {
					t.Fatalf("%s resent after the store recovered: %s, want allow", route, r)
				}
				if ok, r := send(); ok || r != gate.ReasonNonceInvalid {
					t.Fatalf("%s sent a third time: allowed %v %s, want nonce_invalid", route, ok, r)
				}
			}
		})
	}
}

// hangingNonces is a shared nonce store whose PutNonce hangs until its context ends once hang
// is set, counting the calls: a store that failed a write and now does not answer.
type hangingNonces struct {
	*gate.MemoryStore
	hang, broken atomic.Bool
	puts         atomic.Int32
}

func (h *hangingNonces) PutNonce(ctx context.Context, scope, nonce string, exp time.Time) error {
	if !h.hang.Load() {
		return h.MemoryStore.PutNonce(ctx, scope, nonce, exp)
	}
	h.puts.Add(1)
	<-ctx.Done()
	return ctx.Err()
}

func (h *hangingNonces) EnrolBatch(ctx context.Context, es []gate.Enrolment) error {
	if h.broken.Load() {
		return errDiskFull
	}
	return h.MemoryStore.EnrolBatch(ctx, es)
}

// TestEnrolBatchPutBackHasOneDeadline: when the shared store hangs after failing a batch, the
// put-back of its items' nonces gives up at the first timeout instead of waiting one timeout
// per item (a 650-item batch would otherwise hold the request for over 20 minutes).
func TestEnrolBatchPutBackHasOneDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the put-back timeout (2 s)")
	}
	store := &hangingNonces{MemoryStore: gate.NewMemoryStore()}
	b := newBatchWorld(t, func(gate.Store) gate.Store { return store })
	cfg := b.w.Config(t)
	cfg.Store, cfg.SharedNonces = store, true
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.svc = svc
	var rs []*gate.EnrolRequest
	for i := range 4 {
		rs = append(rs, b.item(t, b.w.Passenger(t, "Mustermann", "Erika"), i+1))
	}
	store.broken.Store(true)
	store.hang.Store(true)
	ds := svc.EnrolBatch(context.Background(), b.w.Flight, rs)
	for i, d := range ds {
		if firstReason(d) != gate.ReasonInternal {
			t.Fatalf("item %d: %+v, want internal_error", i, d)
		}
	}
	if n := store.puts.Load(); n != 1 {
		t.Fatalf("%d nonce put-backs tried against a hanging store, want 1 (then give up)", n)
	}
}

// lostAckStore commits a boarding and then reports a failure, as when PostgreSQL committed
// but the acknowledgement never arrived, while lose is set.
type lostAckStore struct {
	*gate.MemoryStore
	lose atomic.Bool
}

func (l *lostAckStore) MarkBoardedBy(ctx context.Context, flight string, p gate.PassID, dep, at time.Time, req gate.AttemptID) error {
	err := l.MemoryStore.MarkBoardedBy(ctx, flight, p, dep, at, req)
	if err == nil && l.lose.Load() {
		return errors.New("connection reset after commit")
	}
	return err
}

// TestLostAcknowledgementBoardsOnResend: the store committed the boarding but answered an
// error, so the gate denied internal_error and put the nonce back. The very same request sent
// again is allowed (the store knows that request boarded), not already_boarded; a third send
// finds the nonce spent; another booking's request for the same pass stays refused.
func TestLostAcknowledgementBoardsOnResend(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	cfg := w.Config(t)
	store := &lostAckStore{MemoryStore: gate.NewMemoryStore()}
	cfg.Store = store
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	p := w.Passenger(t, "Mustermann", "Erika")
	pass := w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 1})
	request := func() *gate.VerifyRequest {
		n, err := svc.GateNonce(ctx, "A1")
		if err != nil {
			t.Fatal(err)
		}
		return &gate.VerifyRequest{Presentation: p.Present(t, n), BCBP: pass, LiveFace: gate.LiveFace{Template: w.LiveTemplate(t, p)}}
	}
	r := request()
	store.lose.Store(true)
	if d := svc.Verify(ctx, "A1", r); d.Allowed() || firstReason(d) != gate.ReasonInternal {
		t.Fatalf("lost acknowledgement: %+v, want internal_error", d)
	}
	store.lose.Store(false)
	if d := svc.Verify(ctx, "A1", r); !d.Allowed() {
		t.Fatalf("the same request resent: %+v, want allow", d)
	}
	if d := svc.Verify(ctx, "A1", r); firstReason(d) != gate.ReasonNonceInvalid {
		t.Fatalf("sent a third time: %+v, want nonce_invalid", d)
	}
	if d := svc.Verify(ctx, "A1", request()); firstReason(d) != gate.ReasonAlreadyBoarded {
		t.Fatalf("a new request for the boarded pass: %+v, want already_boarded", d)
	}
}
