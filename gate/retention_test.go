package gate_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// clock is an injectable, advanceable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func TestRetentionPurgesGalleryAfterDeparture(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	clk := &clock{now: time.Now()}
	cfg := w.Config(t)
	cfg.Now, cfg.Retention = clk.Now, 3*time.Hour
	store := cfg.Store
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	departure := clk.Now().Add(time.Hour)
	if _, err := svc.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true, Departure: &departure}); err != nil {
		t.Fatal(err)
	}
	var travellers []*gatetest.Passenger
	for i := range 3 {
		p := w.Passenger(t, "Mustermann", "Erika")
		n, err := svc.CheckinNonce(w.Flight)
		if err != nil {
			t.Fatal(err)
		}
		d := svc.Enrol(ctx, w.Flight, &gate.EnrolRequest{Presentation: p.Present(t, n),
			BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: i + 1}), Departure: &departure})
		if !d.Allowed() {
			t.Fatalf("enrol: %+v", d)
		}
		travellers = append(travellers, p)
	}
	identify := func(p *gatetest.Passenger) *gate.Decision {
		live, _ := w.Near(p.Face, 0.1).EncodeString()
		return svc.Identify(ctx, "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: live}})
	}
	if d := identify(travellers[0]); !d.Allowed() {
		t.Fatalf("identify before purge: %+v", d)
	}

	// Departed, but still inside the retention window: nothing goes.
	clk.Advance(3*time.Hour + 59*time.Minute)
	if got, err := svc.Purge(ctx); err != nil || len(got) != 0 {
		t.Fatalf("early purge: %v %v", got, err)
	}
	clk.Advance(2 * time.Minute) // departure + retention has passed
	got, err := svc.Purge(ctx)
	if err != nil || len(got) != 1 || got[0] != w.Flight.Key() {
		t.Fatalf("purge: %v %v", got, err)
	}
	if es, _ := store.Enrolments(ctx, w.Flight.Key()); len(es) != 0 {
		t.Fatalf("%d sealed templates kept after retention", len(es))
	}
	if d := identify(travellers[1]); d.Allowed() || d.Reasons[0] != gate.ReasonNoMatch {
		t.Fatalf("identify after purge: %+v", d)
	}
}

func TestDecisionNeverAllowsWithUnrunChecks(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	svc, err := gate.New(w.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	// Unknown gate: nothing runs, the answer is deny with a reason, never an empty allow.
	d := svc.Verify(ctx, "nope", &gate.GateRequest{Presentation: "x", BCBP: "y", LiveFace: gate.LiveFace{Template: "z"}})
	if d.Allowed() || len(d.Reasons) != 1 || d.Reasons[0] != gate.ReasonUnknownGate || d.Checks.Credential != gate.CheckSkipped {
		t.Fatalf("%+v", d)
	}
}
