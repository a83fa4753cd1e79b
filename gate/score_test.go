package gate_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
	"github.com/idgate/idgate/statuslist"
)

// renderedScore is the "score" member of the decision as the verifier renders it (JSON).
func renderedScore(t *testing.T, d *gate.Decision) (float64, bool) {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	s, ok := m["score"].(float64)
	if _, present := m["score"]; present && !ok {
		t.Fatalf("score is not a number: %s", b)
	}
	return s, ok
}

// TestVerifyDenyCarriesNoScore: a face distance is an oracle (a synthetic face can be
// hill-climbed towards the ID's template), so only an allow carries it. Every deny of Verify,
// including those where the face comparison ran and matched (a forged pass, a name
// mismatch, a pass already boarded, a failed store write), renders without a score.
func TestVerifyDenyCarriesNoScore(t *testing.T) {
	ctx := context.Background()
	flaky := &flakyStore{MemoryStore: gate.NewMemoryStore()}
	pw := newPassWorld(t, func(c *gate.Config) { c.Store = flaky })
	w := pw.w
	other, err := gate.NewFlight("IG", "202", w.Flight.Date)
	if err != nil {
		t.Fatal(err)
	}
	type send struct {
		presentation, bcbp, live string
	}
	// build returns a request for a fresh passenger; edit adjusts it.
	build := func(t *testing.T, family, given string, o gatetest.PassOpts, edit func(p *gatetest.Passenger, s *send)) send {
		p := w.Passenger(t, family, given)
		n, err := pw.svc.GateNonce(ctx, "A1")
		if err != nil {
			t.Fatal(err)
		}
		s := send{presentation: p.Present(t, n), bcbp: w.Pass(t, "SMITH/JOHN", o), live: w.LiveTemplate(t, p)}
		if edit != nil {
			edit(p, &s)
		}
		return s
	}
	do := func(s send) *gate.Decision {
		return pw.svc.Verify(ctx, "A1", &gate.VerifyRequest{Presentation: s.presentation, BCBP: s.bcbp, LiveFace: gate.LiveFace{Template: s.live}})
	}
	enc := func(t *testing.T) string { s, _ := w.Template().EncodeString(); return s }

	// The control: an allow carries the distance.
	d := do(build(t, "Smith", "John", gatetest.PassOpts{Sequence: 1}, nil))
	if s, ok := renderedScore(t, d); !d.Allowed() || !ok || s <= 0 || s >= float64(d.Threshold) {
		t.Fatalf("allow must carry its score: %+v", d)
	}

	boarded := build(t, "Smith", "John", gatetest.PassOpts{Sequence: 2}, nil)
	if d := do(boarded); !d.Allowed() {
		t.Fatalf("first boarding: %+v", d)
	}
	for i, c := range []struct {
		name   string
		family string
		opts   gatetest.PassOpts
		edit   func(p *gatetest.Passenger, s *send)
		before func()
		after  func()
		reason gate.Reason
	}{
		{name: "pass forged by another airline", opts: gatetest.PassOpts{Signer: pw.zz, Issuer: "IG"}, reason: gate.ReasonPassSignature},
		{name: "unsigned pass", opts: gatetest.PassOpts{Unsigned: true}, reason: gate.ReasonPassUnsigned},
		{name: "pass for another flight", opts: gatetest.PassOpts{Flight: &other}, reason: gate.ReasonWrongFlight},
		{name: "stale pass", opts: gatetest.PassOpts{NoIssueDate: true}, reason: gate.ReasonPassStale},
		{name: "name mismatch", family: "Jones", reason: gate.ReasonNameMismatch},
		{name: "face mismatch", edit: func(_ *gatetest.Passenger, s *send) { s.live = enc(t) }, reason: gate.ReasonFaceMismatch},
		{name: "live face garbage", edit: func(_ *gatetest.Passenger, s *send) { s.live = "!!" }, reason: gate.ReasonLiveFaceInvalid},
		{name: "nonce reused", edit: func(_ *gatetest.Passenger, s *send) { s.presentation = boarded.presentation }, reason: gate.ReasonNonceInvalid},
		{name: "credential revoked", edit: func(p *gatetest.Passenger, _ *send) { w.Env.SetStatus(t, p.Holder.StatusIdx, statuslist.Invalid) },
			reason: gate.ReasonCredentialRevoked},
		{name: "store write fails", before: func() { flaky.broken.Store(true) }, after: func() { flaky.broken.Store(false) },
			reason: gate.ReasonInternal},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.family == "" {
				c.family = "Smith"
			}
			c.opts.Sequence = 10 + i
			s := build(t, c.family, "John", c.opts, c.edit)
			if c.before != nil {
				c.before()
			}
			d := do(s)
			if c.after != nil {
				c.after()
			}
			if d.Allowed() || !slices.Contains(d.Reasons, c.reason) {
				t.Fatalf("want deny %s: %+v", c.reason, d)
			}
			if s, ok := renderedScore(t, d); ok {
				t.Errorf("deny %v renders score %v", d.Reasons, s)
			}
			if s, ok := d.Score(); ok {
				t.Errorf("deny %v reports score %v", d.Reasons, s)
			}
		})
	}
	t.Run("already boarded", func(t *testing.T) {
		p := w.Passenger(t, "Smith", "John")
		n, err := pw.svc.GateNonce(ctx, "A1")
		if err != nil {
			t.Fatal(err)
		}
		d := do(send{presentation: p.Present(t, n), bcbp: boarded.bcbp, live: w.LiveTemplate(t, p)})
		if d.Allowed() || !slices.Contains(d.Reasons, gate.ReasonAlreadyBoarded) {
			t.Fatalf("want already_boarded: %+v", d)
		}
		if s, ok := renderedScore(t, d); ok {
			t.Errorf("deny %v renders score %v", d.Reasons, s)
		}
	})
}
