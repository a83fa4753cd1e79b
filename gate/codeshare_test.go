package gate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// codeshareWorld is a World (airline IG, gate A1 boarding IG0101) whose trust list also holds
// airlines XX, ZZ and CD, each trusted for its own designator only.
type codeshareWorld struct {
	w       *gatetest.World
	signers map[string]certs.Signer // IG, XX, ZZ, CD
	anchors []certs.Anchor
}

func newCodeshareWorld(t *testing.T) *codeshareWorld {
	t.Helper()
	w := gatetest.New(t)
	cw := &codeshareWorld{w: w, signers: map[string]certs.Signer{"IG": w.Airline}, anchors: w.Passes.Anchors()}
	for _, a := range []string{"XX", "ZZ", "CD"} {
		s := w.Env.CA.Issue(t, certs.AirlineCN(a))
		anchor := w.Env.CA.Anchor(certs.PurposeBoardingPass, a, certs.AirlineCN(a))
		anchor.Certs = s.Chain()[:1]
		cw.signers[a], cw.anchors = s, append(cw.anchors, anchor)
	}
	return cw
}

// service returns a Service with gate A1 boarding IG0101 and the given partners.
func (cw *codeshareWorld) service(t *testing.T, partners map[string][]string) *gate.Service {
	t.Helper()
	cfg := cw.w.Config(t)
	cfg.Passes = certs.NewTrustList(cw.anchors...)
	cfg.PassPartners = partners
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutGate(context.Background(), "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: cw.w.Flight.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// csPass describes a pass for SMITH/JOHN on flight 0101 today.
type csPass struct {
	signer    string // key that signs
	issuer    string // "airline designator of boarding pass issuer"; "" leaves the item out
	operator  string // the leg's operating carrier; default IG
	marketing string // the leg's marketing carrier; "" leaves the repeated conditional items out
}

// bcbp encodes and signs the pass with sequence number seq (a distinct booking per case).
func (cw *codeshareWorld) bcbp(t *testing.T, c csPass, seq int) string {
	t.Helper()
	today := time.Now().UTC()
	day, err := time.Parse(time.DateOnly, cw.w.Flight.Date)
	if err != nil {
		t.Fatal(err)
	}
	if c.operator == "" {
		c.operator = "IG"
	}
	leg := boardingpass.Leg{
		PNR: fmt.Sprintf("CS%05d", seq), From: "FRA", To: "LHR", Carrier: c.operator, Flight: "0101",
		JulianDate: day.YearDay(), Compartment: 'Y', Seat: "012A", Sequence: fmt.Sprintf("%04d", seq), Status: '1',
	}
	if c.marketing != "" {
		leg.Cond = &boardingpass.LegConditional{AirlineNumeric: "999", MarketingCarrier: c.marketing}
	}
	p := &boardingpass.Pass{
		Name: "SMITH/JOHN", ETicket: 'E', Version: 8, Legs: []boardingpass.Leg{leg},
		Unique: &boardingpass.UniqueConditional{IssuanceSource: 'W', DocumentType: 'B', Issuer: c.issuer,
			IssueDate: fmt.Sprintf("%d%03d", today.Year()%10, today.YearDay())},
	}
	unsigned, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if back, err := boardingpass.Parse(unsigned); err != nil || back.Unique.Issuer != c.issuer {
		t.Fatalf("issuer item did not round-trip: %v", err)
	}
	signed, err := boardingpass.Sign(unsigned, cw.signers[c.signer])
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// verify presents a fresh passenger Smith/John with bcbp at gate A1 of svc.
func (cw *codeshareWorld) verify(t *testing.T, svc *gate.Service, bcbp string) *gate.Decision {
	t.Helper()
	p := cw.w.Passenger(t, "Smith", "John")
	n, err := svc.GateNonce(context.Background(), "A1")
	if err != nil {
		t.Fatal(err)
	}
	return svc.Verify(context.Background(), "A1", &gate.VerifyRequest{Presentation: p.Present(t, n), BCBP: bcbp,
		LiveFace: gate.LiveFace{Template: cw.w.LiveTemplate(t, p)}})
}

// TestVerifyCodeshare: gate A1 boards IG0101; IG lists XX as pass partner, AB lists CD. The
// pass's issuer item picks the one key that must verify; the leg must still be IG's.
func TestVerifyCodeshare(t *testing.T) {
	cw := newCodeshareWorld(t)
	withPartners := cw.service(t, map[string][]string{"IG": {"XX"}, "AB": {"CD"}})
	noPartners := cw.service(t, nil)
	for i, c := range []struct {
		name     string
		svc      *gate.Service
		pass     csPass
		signedBy string      // "" = no key verified
		reason   gate.Reason // "" = allow
	}{
		{"operating carrier signs", withPartners, csPass{signer: "IG", issuer: "IG"}, "IG", ""},
		{"listed partner signs as issuer", withPartners, csPass{signer: "XX", issuer: "XX"}, "XX", ""},
		{"listed partner signs, marketing carrier on the leg", withPartners, csPass{signer: "XX", issuer: "XX", marketing: "XX"}, "XX", ""},
		{"partner signs, no partners configured", noPartners, csPass{signer: "XX", issuer: "XX"}, "", gate.ReasonPassSignature},
		{"unlisted airline signs as issuer", withPartners, csPass{signer: "ZZ", issuer: "ZZ"}, "", gate.ReasonPassSignature},
		{"unlisted airline signs claiming a listed partner", withPartners, csPass{signer: "ZZ", issuer: "XX"}, "", gate.ReasonPassSignature},
		{"another carrier's partner signs", withPartners, csPass{signer: "CD", issuer: "CD"}, "", gate.ReasonPassSignature},
		{"partner signs claiming the operating carrier", withPartners, csPass{signer: "XX", issuer: "IG"}, "", gate.ReasonPassSignature},
		// Decided: the issuer item names the signer; the operating carrier's key is not tried
		// when a listed partner is declared, so a pass misstating its issuer is refused.
		{"issuer claims partner, operating carrier signed", withPartners, csPass{signer: "IG", issuer: "XX"}, "", gate.ReasonPassSignature},
		{"leg operated by the partner", withPartners, csPass{signer: "XX", issuer: "XX", operator: "XX"}, "XX", gate.ReasonWrongFlight},
		{"leg operated by the partner, marketed by the gate carrier", withPartners, csPass{signer: "XX", issuer: "XX", operator: "XX", marketing: "IG"}, "XX", gate.ReasonWrongFlight},
		{"issuer absent, operating carrier signs", withPartners, csPass{signer: "IG"}, "IG", ""},
		{"issuer absent, partner signs", withPartners, csPass{signer: "XX"}, "", gate.ReasonPassSignature},
		{"issuer absent, no partners, operating carrier signs", noPartners, csPass{signer: "IG"}, "IG", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := cw.verify(t, c.svc, cw.bcbp(t, c.pass, i+1))
			if d.SignedBy != c.signedBy {
				t.Errorf("SignedBy = %q, want %q", d.SignedBy, c.signedBy)
			}
			if c.reason == "" {
				if !d.Allowed() {
					t.Fatalf("want allow: %+v", d)
				}
				return
			}
			if d.Allowed() || !slices.Contains(d.Reasons, c.reason) {
				t.Fatalf("want deny %s: %+v", c.reason, d)
			}
			if c.reason == gate.ReasonPassSignature && (d.Checks.BoardingPass != gate.CheckFail || d.PassRef != "") {
				t.Fatalf("signature refused but pass accepted: %+v", d)
			}
		})
	}
}

// TestDecisionSignedByJSON: signed_by is in the Decision JSON when a key verified, absent
// otherwise, and carries only the designator.
func TestDecisionSignedByJSON(t *testing.T) {
	cw := newCodeshareWorld(t)
	svc := cw.service(t, map[string][]string{"IG": {"XX"}})
	for i, c := range []struct {
		pass csPass
		want string // "" = field absent
	}{
		{csPass{signer: "XX", issuer: "XX"}, `"signed_by":"XX"`},
		{csPass{signer: "ZZ", issuer: "ZZ"}, ""},
	} {
		b, err := json.Marshal(cw.verify(t, svc, cw.bcbp(t, c.pass, 100+i)))
		if err != nil {
			t.Fatal(err)
		}
		if c.want == "" && strings.Contains(string(b), "signed_by") || c.want != "" && !strings.Contains(string(b), c.want) {
			t.Fatalf("case %d: want %q in %s", i, c.want, b)
		}
	}
}
