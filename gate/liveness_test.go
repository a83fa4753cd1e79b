package gate_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// captures stands in for the camera pipeline (dlib and the liveness networks, tested in
// biometric/face and biometric/liveness): a JPEG's first bytes after the SOI marker name the
// capture it decodes to.
type captures map[string]gate.LiveCapture

func (c captures) LiveCapture(jpeg []byte) (gate.LiveCapture, error) {
	got, ok := c[string(jpeg[3:])]
	if !ok {
		return gate.LiveCapture{}, errors.New("no face")
	}
	return got, nil
}

func jpegNamed(name string) []byte { return append([]byte{0xFF, 0xD8, 0xFF}, name...) }

// rendered is the decision as the verifier renders it.
func rendered(t *testing.T, d *gate.Decision) map[string]any {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestVerifyLiveness: every live_jpeg goes through liveness (a spoof is denied
// presentation_attack, a capture without a liveness result liveness_unverified); a
// live_template is accepted, refused, or accepted as the terminal's own check, by policy.
func TestVerifyLiveness(t *testing.T) {
	ctx := context.Background()
	type want struct {
		reason   gate.Reason // "" = allow
		liveness gate.Check
		face     gate.Check
	}
	cases := []struct {
		name   string
		policy gate.LivenessPolicy
		gate   string
		live   func(t testing.TB, w *gatetest.World, p *gatetest.Passenger) (gate.LiveFace, captures)
		want   want
	}{
		{"live capture", gate.LivenessPolicy{}, "A1", jpegCapture(&gate.Liveness{Live: true, Score: 0.99, Threshold: 0.915, Model: "mfas1-test"}),
			want{"", gate.CheckPass, gate.CheckPass}},
		{"spoof", gate.LivenessPolicy{}, "A1", jpegCapture(&gate.Liveness{Live: false, Score: 0.07, Threshold: 0.915, Model: "mfas1-test"}),
			want{gate.ReasonPresentationAttack, gate.CheckFail, gate.CheckSkipped}},
		{"extractor without liveness", gate.LivenessPolicy{}, "A1", jpegCapture(nil),
			want{gate.ReasonLivenessUnverified, gate.CheckFail, gate.CheckSkipped}},
		{"template, policy off", gate.LivenessPolicy{}, "A1", templateCapture,
			want{"", gate.CheckSkipped, gate.CheckPass}},
		{"template, untrusted gate", gate.LivenessPolicy{RequireForTemplates: true, TrustedGates: []string{"B7"}}, "A1", templateCapture,
			want{gate.ReasonLivenessUnverified, gate.CheckFail, gate.CheckSkipped}},
		{"template, trusted gate", gate.LivenessPolicy{RequireForTemplates: true, TrustedGates: []string{"B7", "A1"}}, "A1", templateCapture,
			want{"", gate.CheckTerminal, gate.CheckPass}},
		{"jpeg at a trusted gate still checked", gate.LivenessPolicy{RequireForTemplates: true, TrustedGates: []string{"A1"}}, "A1",
			jpegCapture(&gate.Liveness{Live: false, Score: 0.2, Threshold: 0.915}), want{gate.ReasonPresentationAttack, gate.CheckFail, gate.CheckSkipped}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var faces captures
			pw := newPassWorld(t, func(cfg *gate.Config) {
				cfg.Liveness = c.policy
				cfg.Face = captureFunc(func(jpeg []byte) (gate.LiveCapture, error) { return faces.LiveCapture(jpeg) })
			})
			p := pw.w.Passenger(t, "Smith", "John")
			live, fc := c.live(t, pw.w, p)
			faces = fc
			n, err := pw.svc.GateNonce(ctx, c.gate)
			if err != nil {
				t.Fatal(err)
			}
			d := pw.svc.Verify(ctx, c.gate, &gate.VerifyRequest{Presentation: p.Present(t, n),
				BCBP: pw.w.Pass(t, "SMITH/JOHN", gatetest.PassOpts{}), LiveFace: live})
			m := rendered(t, d)
			if c.want.reason == "" {
				if !d.Allowed() {
					t.Fatalf("denied %v", d.Reasons)
				}
			} else if d.Allowed() || !slices.Equal(d.Reasons, []gate.Reason{c.want.reason}) {
				t.Fatalf("decision %s %v, want deny [%s]", d.Decision, d.Reasons, c.want.reason)
			}
			if d.Checks.Liveness != c.want.liveness || d.Checks.Face != c.want.face {
				t.Errorf("checks liveness=%s face=%s, want %s %s", d.Checks.Liveness, d.Checks.Face, c.want.liveness, c.want.face)
			}
			checks := m["checks"].(map[string]any)
			if checks["liveness"] != string(c.want.liveness) {
				t.Errorf("rendered checks.liveness %v", checks["liveness"])
			}
			// The liveness score is rendered with an allow of a checked capture only.
			ls, has := m["liveness_score"]
			wantScore := d.Allowed() && c.want.liveness == gate.CheckPass
			if has != wantScore || (has && ls != 0.99) {
				t.Errorf("liveness_score %v (present %v), want present %v", ls, has, wantScore)
			}
			if s, ok := d.LivenessScore(); ok != wantScore || (ok && s != 0.99) {
				t.Errorf("LivenessScore() = %v, %v", s, ok)
			}
			if _, has := m["score"]; has && !d.Allowed() {
				t.Errorf("deny rendered a face score: %v", m)
			}
		})
	}
}

// TestIdentifyLiveness: walk-through boarding refuses a spoof before searching the gallery,
// and applies the template policy.
func TestIdentifyLiveness(t *testing.T) {
	ctx := context.Background()
	spoof := jpegNamed("spoof")
	pw := newPassWorld(t, func(cfg *gate.Config) {
		cfg.Liveness = gate.LivenessPolicy{RequireForTemplates: true}
		cfg.Face = captures{"spoof": {Template: biometric.Template{}, Liveness: &gate.Liveness{Score: 0.1, Threshold: 0.915}}}
	})
	d := pw.svc.Identify(ctx, "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{JPEG: spoof}})
	if d.Allowed() || !slices.Equal(d.Reasons, []gate.Reason{gate.ReasonPresentationAttack}) || d.Checks.Liveness != gate.CheckFail {
		t.Errorf("spoof: %+v", d)
	}
	live := pw.w.LiveTemplate(t, pw.w.Passenger(t, "Smith", "John"))
	d = pw.svc.Identify(ctx, "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: live}})
	if d.Allowed() || !slices.Equal(d.Reasons, []gate.Reason{gate.ReasonLivenessUnverified}) {
		t.Errorf("untrusted template: %+v", d)
	}
}

func TestLivenessPolicyConfig(t *testing.T) {
	w := gatetest.New(t)
	cfg := w.Config(t)
	cfg.Liveness.TrustedGates = []string{"A1", "not a gate"}
	if _, err := gate.New(cfg); err == nil {
		t.Error("an invalid trusted gate id was accepted")
	}
	ids, err := gate.ParseGateList(" A1, B-7 ,,")
	if err != nil || !slices.Equal(ids, []string{"A1", "B-7"}) {
		t.Errorf("ParseGateList = %v, %v", ids, err)
	}
	if _, err := gate.ParseGateList("A1,B 7"); err == nil {
		t.Error("ParseGateList accepted a space in an id")
	}
}

type captureFunc func([]byte) (gate.LiveCapture, error)

func (f captureFunc) LiveCapture(jpeg []byte) (gate.LiveCapture, error) { return f(jpeg) }

// jpegCapture sends a live_jpeg that decodes to the passenger's face with liveness l.
func jpegCapture(l *gate.Liveness) func(t testing.TB, w *gatetest.World, p *gatetest.Passenger) (gate.LiveFace, captures) {
	return func(_ testing.TB, w *gatetest.World, p *gatetest.Passenger) (gate.LiveFace, captures) {
		return gate.LiveFace{JPEG: jpegNamed("cam")}, captures{"cam": {Template: w.Near(p.Face, 0.15), Liveness: l}}
	}
}

func templateCapture(t testing.TB, w *gatetest.World, p *gatetest.Passenger) (gate.LiveFace, captures) {
	return gate.LiveFace{Template: w.LiveTemplate(t, p)}, nil
}
