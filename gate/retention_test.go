package gate_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/biometric"
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
		n, err := svc.CheckinNonce(context.Background(), w.Flight)
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
	d := svc.Verify(ctx, "nope", &gate.VerifyRequest{Presentation: "x", BCBP: "y", LiveFace: gate.LiveFace{Template: "z"}})
	if d.Allowed() || len(d.Reasons) != 1 || d.Reasons[0] != gate.ReasonUnknownGate || d.Checks.Credential != gate.CheckSkipped {
		t.Fatalf("%+v", d)
	}
}

// TestPurgeDropsGalleryOfAnotherInstancesPurge: two instances share a Store; A's Purge deletes
// the rows, so B's Store.Purge reports nothing. B's own Purge must still drop its decrypted
// copies of everything past retention.
func TestPurgeDropsGalleryOfAnotherInstancesPurge(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	clk := &clock{now: time.Now()}
	cfg := w.Config(t)
	cfg.Now, cfg.Retention = clk.Now, time.Hour
	a, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	departure := clk.Now().Add(time.Hour)
	if _, err := b.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true, Departure: &departure}); err != nil {
		t.Fatal(err)
	}
	faces := []biometric.Template{w.Template(), w.Template(), w.Template()}
	for i, tm := range faces {
		sealed, err := biometric.Seal(tm, &w.ReaderKey.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		e := gate.Enrolment{Flight: w.Flight.Key(), Pass: gate.PassID(fmt.Sprintf("pass-%d-0000000000000", i)), Sealed: sealed, Departure: departure, Status: w.Env.Slot(), IDExpires: time.Now().Add(24 * time.Hour)}
		if err := cfg.Store.Enrol(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	identify := func(tm biometric.Template) *gate.Decision {
		live, _ := w.Near(tm, 0.1).EncodeString()
		return b.Identify(ctx, "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: live}})
	}
	if d := identify(faces[0]); !d.Allowed() { // B now holds the flight's gallery in memory
		t.Fatalf("identify before purge: %+v", d)
	}
	clk.Advance(2*time.Hour + time.Minute)
	for _, c := range []struct {
		name    string
		svc     *gate.Service
		flights int
	}{{"A deletes the rows", a, 1}, {"B's store reports nothing", b, 0}} {
		got, err := c.svc.Purge(ctx)
		if err != nil || len(got) != c.flights {
			t.Fatalf("%s: purge = %v, %v", c.name, got, err)
		}
	}
	for i, tm := range faces[1:] {
		if d := identify(tm); d.Allowed() || d.Reasons[0] != gate.ReasonNoMatch {
			t.Fatalf("face %d identified after retention: %+v", i+1, d)
		}
	}
}

// TestDepartureBounded: a departure far from the flight date (year 9999 would outlive every
// purge) is refused from the check-in client (Enrol) and from the operator (PutGate).
func TestDepartureBounded(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	svc, err := gate.New(w.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	day, _ := time.Parse(time.DateOnly, w.Flight.Date)
	for i, c := range []struct {
		name string
		dep  time.Time
		ok   bool
	}{
		{"scheduled", day.Add(9 * time.Hour), true},
		{"year 9999", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"next week", day.AddDate(0, 0, 7), false},
		{"last year", day.AddDate(-1, 0, 0), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := w.Passenger(t, "Mustermann", "Erika")
			n, err := svc.CheckinNonce(context.Background(), w.Flight)
			if err != nil {
				t.Fatal(err)
			}
			d := svc.Enrol(ctx, w.Flight, &gate.EnrolRequest{Presentation: p.Present(t, n),
				BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: i + 1}), Departure: &c.dep})
			if d.Allowed() != c.ok || (!c.ok && d.Reasons[0] != gate.ReasonMalformedRequest) {
				t.Fatalf("enrol: %+v", d)
			}
			_, err = svc.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Departure: &c.dep})
			if (err == nil) != c.ok || (err != nil && gate.CodeOf(err) != gate.CodeInvalidRequest) {
				t.Fatalf("PutGate: %v", err)
			}
		})
	}
}
