package gate_test

import (
	"context"
	"testing"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

func TestIdentifyDecisions(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	cfg := w.Config(t)
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutGate(ctx, "C3", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date}); err != nil {
		t.Fatal(err)
	}
	alice, bob := w.Template(), w.Template()
	twin := w.Near(bob, 0.1) // two enrolments a probe cannot tell apart
	for i, tm := range []biometric.Template{alice, bob, twin} {
		sealed, err := biometric.Seal(tm, &w.ReaderKey.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		e := gate.Enrolment{Flight: w.Flight.Key(), Pass: gate.PassID([]string{"alice", "bob", "twin"}[i] + "-pass-id-0000000"), Sealed: sealed, Departure: w.Flight.DefaultDeparture(), Status: w.Env.Slot(), IDExpires: time.Now().Add(24 * time.Hour)}
		if err := cfg.Store.Enrol(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	other, _ := biometric.NewTemplate("other-model", alice.Vector[:])
	enc := func(tm biometric.Template) string { s, _ := tm.EncodeString(); return s }
	for _, c := range []struct {
		name   string
		gate   string
		live   string
		reason gate.Reason // "" for allow
	}{
		{"match", "A1", enc(w.Near(alice, 0.1)), ""},
		{"same face again", "A1", enc(w.Near(alice, 0.1)), gate.ReasonAlreadyBoarded},
		{"ambiguous", "A1", enc(w.Near(bob, 0.05)), gate.ReasonAmbiguousMatch},
		{"stranger", "A1", enc(w.Template()), gate.ReasonNoMatch},
		{"other model", "A1", enc(other), gate.ReasonNoMatch},
		{"garbage", "A1", "!!", gate.ReasonLiveFaceInvalid},
		{"gate closed", "C3", enc(alice), gate.ReasonGateNotBoarding},
		{"unknown gate", "Z1", enc(alice), gate.ReasonUnknownGate},
	} {
		d := svc.Identify(ctx, c.gate, &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: c.live}})
		if c.reason == "" {
			if s, ok := d.Score(); !d.Allowed() || d.PassRef != "alice-pass-id-00" || !ok || s >= d.Threshold {
				t.Errorf("%s: %+v", c.name, d)
			}
			continue
		}
		if d.Allowed() || len(d.Reasons) == 0 || d.Reasons[0] != c.reason {
			t.Errorf("%s: %+v, want %s", c.name, d, c.reason)
		}
		if s, ok := d.Score(); ok { // no distance oracle for a credential-less caller
			t.Errorf("%s: deny carries score %v", c.name, s)
		}
		if s, ok := renderedScore(t, d); ok {
			t.Errorf("%s: deny renders score %v", c.name, s)
		}
	}
}
