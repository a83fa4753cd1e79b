package gate_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// TestGateAirport: a gate that knows its airport boards only a pass with a leg of its flight
// departing from there. Without it, a pass for the LHR-JFK leg of the through flight IG0101
// (FRA-LHR-JFK) boards at the FRA gate; with airport FRA it is wrong_flight there and boards
// at the LHR gate, as does a pass listing both legs. The airport is validated at PutGate.
func TestGateAirport(t *testing.T) {
	ctx := context.Background()
	pw := newPassWorld(t, nil)
	put := func(id, airport string) error {
		_, err := pw.svc.PutGate(ctx, id, gate.GateUpdate{Carrier: "IG", Number: "101", Date: pw.w.Flight.Date, Boarding: true, Airport: airport})
		return err
	}
	if err := put("FRA-A1", "fra"); err != nil {
		t.Fatal(err)
	}
	if err := put("LHR-B2", "LHR"); err != nil {
		t.Fatal(err)
	}
	if g, err := pw.svc.Gate(ctx, "FRA-A1"); err != nil || g.Airport != "FRA" {
		t.Fatalf("gate: %+v %v", g, err)
	}
	for _, bad := range []string{"FR", "FRAN", "FR1", "F-A", "ÄÖÜ"} {
		if err := put("X1", bad); !errors.Is(err, &gate.Error{Code: gate.CodeInvalidRequest}) {
			t.Errorf("airport %q: %v", bad, err)
		}
	}
	verifyAt := func(id string, seq int, edit func(*boardingpass.Pass)) *gate.Decision {
		t.Helper()
		p := pw.w.Passenger(t, "Smith", "John")
		n, err := pw.svc.GateNonce(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		bcbp := pw.w.Pass(t, "SMITH/JOHN", gatetest.PassOpts{Sequence: seq, Edit: edit})
		return pw.svc.Verify(ctx, id, &gate.VerifyRequest{Presentation: p.Present(t, n), BCBP: bcbp,
			LiveFace: gate.LiveFace{Template: pw.w.LiveTemplate(t, p)}})
	}
	secondLeg := legEdit(func(l *boardingpass.Leg) { l.From, l.To = "LHR", "JFK" })

	if d := verifyAt("A1", 700, secondLeg); !d.Allowed() { // no airport: any leg of the flight
		t.Fatalf("gate without an airport: %+v", d)
	}
	d := verifyAt("FRA-A1", 701, secondLeg)
	if d.Allowed() || !slices.Equal(d.Reasons, []gate.Reason{gate.ReasonWrongFlight}) || d.Checks.Flight != gate.CheckFail || d.Checks.SingleUse != gate.CheckSkipped {
		t.Fatalf("LHR-JFK pass at the FRA gate: %+v", d)
	}
	if d := verifyAt("LHR-B2", 701, secondLeg); !d.Allowed() {
		t.Fatalf("LHR-JFK pass at the LHR gate (not boarded by the refusal): %+v", d)
	}
	if d := verifyAt("FRA-A1", 702, nil); !d.Allowed() {
		t.Fatalf("FRA-LHR pass at the FRA gate: %+v", d)
	}
	if d := verifyAt("LHR-B2", 703, throughFlight(true)); !d.Allowed() {
		t.Fatalf("through pass at the LHR gate: %+v", d)
	}
	if d := verifyAt("FRA-A1", 704, legEdit(func(l *boardingpass.Leg) { l.From = "fra" })); !d.Allowed() {
		t.Fatalf("origin in lower case at the FRA gate: %+v", d)
	}
}
