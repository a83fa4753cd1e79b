package gate_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// passWorld is a World whose trust list also holds airline ZZ (trusted for ZZ only), and a
// Service with gate A1 boarding the World's IG flight.
type passWorld struct {
	w   *gatetest.World
	zz  certs.Signer
	svc *gate.Service
}

func newPassWorld(t *testing.T, edit func(*gate.Config)) *passWorld {
	t.Helper()
	w := gatetest.New(t)
	zz := w.Env.CA.Issue(t, certs.AirlineCN("ZZ"))
	anchorZZ := w.Env.CA.Anchor(certs.PurposeBoardingPass, "ZZ", certs.AirlineCN("ZZ"))
	anchorZZ.Certs = zz.Chain()[:1]
	cfg := w.Config(t)
	cfg.Passes = certs.NewTrustList(append(w.Passes.Anchors(), anchorZZ)...)
	if edit != nil {
		edit(&cfg)
	}
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutGate(context.Background(), "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	return &passWorld{w: w, zz: zz, svc: svc}
}

// verify presents a fresh passenger named Smith/John with bcbp at gate A1.
func (pw *passWorld) verify(t *testing.T, opts gatetest.PassOpts) *gate.Decision {
	t.Helper()
	p := pw.w.Passenger(t, "Smith", "John")
	n, err := pw.svc.GateNonce(context.Background(), "A1")
	if err != nil {
		t.Fatal(err)
	}
	bcbp := pw.w.Pass(t, "SMITH/JOHN", opts)
	return pw.svc.Verify(context.Background(), "A1", &gate.GateRequest{Presentation: p.Present(t, n), BCBP: bcbp,
		LiveFace: gate.LiveFace{Template: pw.w.LiveTemplate(t, p)}})
}

// TestVerifyPassSigner: only the operating carrier's own key makes a pass for its flight. A
// pass another trusted airline (ZZ) signed for IG0101 is denied, whatever issuer it declares.
func TestVerifyPassSigner(t *testing.T) {
	pw := newPassWorld(t, nil)
	for i, c := range []struct {
		name   string
		signer certs.Signer
		issuer string
		reason gate.Reason // "" = allow
	}{
		{"IG signs IG0101", pw.w.Airline, "IG", ""},
		{"ZZ signs IG0101 as ZZ", pw.zz, "ZZ", gate.ReasonPassSignature},
		{"ZZ signs IG0101 claiming IG", pw.zz, "IG", gate.ReasonPassSignature},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := pw.verify(t, gatetest.PassOpts{Signer: c.signer, Issuer: c.issuer, Sequence: i + 1})
			if c.reason == "" {
				if !d.Allowed() {
					t.Fatalf("want allow: %+v", d)
				}
				return
			}
			if d.Allowed() || !slices.Contains(d.Reasons, c.reason) {
				t.Fatalf("want deny %s: %+v", c.reason, d)
			}
		})
	}
}

// TestVerifyPassIssueDate: BCBP flight dates have no year, so the date of issue must place
// the pass within PassIssueWindow (30 days by default) before the flight date.
func TestVerifyPassIssueDate(t *testing.T) {
	pw := newPassWorld(t, nil)
	day, err := time.Parse(time.DateOnly, pw.w.Flight.Date)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		name   string
		opts   gatetest.PassOpts
		reason gate.Reason // "" = allow
	}{
		{"issued today", gatetest.PassOpts{Issued: day}, ""},
		{"issued 29 days before", gatetest.PassOpts{Issued: day.AddDate(0, 0, -29)}, ""},
		{"issued 30 days before", gatetest.PassOpts{Issued: day.AddDate(0, 0, -30)}, ""},
		{"issued 31 days before", gatetest.PassOpts{Issued: day.AddDate(0, 0, -31)}, gate.ReasonPassStale},
		{"last year's pass, same flight and day", gatetest.PassOpts{Issued: day.AddDate(-1, 0, -2)}, gate.ReasonPassStale},
		{"no date of issue", gatetest.PassOpts{NoIssueDate: true}, gate.ReasonPassStale},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Sequence = i + 1
			d := pw.verify(t, c.opts)
			if c.reason == "" {
				if !d.Allowed() {
					t.Fatalf("want allow: %+v", d)
				}
				return
			}
			if d.Allowed() || !slices.Contains(d.Reasons, c.reason) || d.Checks.Flight != gate.CheckFail {
				t.Fatalf("want deny %s: %+v", c.reason, d)
			}
		})
	}
}
