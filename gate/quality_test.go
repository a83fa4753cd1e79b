package gate_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// qualityErr is what biometric/face returns for an unusable capture: an error with the
// sub-reasons behind a QualityReasons method.
type qualityErr []string

func (q qualityErr) Error() string            { return fmt.Sprintf("face: capture unusable: %v", []string(q)) }
func (q qualityErr) QualityReasons() []string { return q }

// TestVerifyCaptureQuality: an unusable capture is denied capture_quality with its
// sub-reasons (unknown ones dropped) before liveness or matching; another failure stays
// live_face_invalid with no sub-reasons.
func TestVerifyCaptureQuality(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		err    error
		reason gate.Reason
		subs   []string
	}{
		{"blurred and dark", fmt.Errorf("wrapped: %w", qualityErr{"blurred", "too_dark"}), gate.ReasonCaptureQuality, []string{"blurred", "too_dark"}},
		{"two faces, unknown code dropped", qualityErr{"multiple_faces", "<script>"}, gate.ReasonCaptureQuality, []string{"multiple_faces"}},
		{"only unknown codes", qualityErr{"weird"}, gate.ReasonLiveFaceInvalid, nil},
		{"no face", errors.New("face: no face found"), gate.ReasonLiveFaceInvalid, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pw := newPassWorld(t, func(cfg *gate.Config) {
				cfg.Face = captureFunc(func([]byte) (gate.LiveCapture, error) { return gate.LiveCapture{}, c.err })
			})
			p := pw.w.Passenger(t, "Smith", "John")
			n, err := pw.svc.GateNonce(ctx, "A1")
			if err != nil {
				t.Fatal(err)
			}
			d := pw.svc.Verify(ctx, "A1", &gate.VerifyRequest{Presentation: p.Present(t, n),
				BCBP: pw.w.Pass(t, "SMITH/JOHN", gatetest.PassOpts{}), LiveFace: gate.LiveFace{JPEG: jpegNamed("capture")}})
			if d.Allowed() || !slices.Equal(d.Reasons, []gate.Reason{c.reason}) || !slices.Equal(d.CaptureQuality, c.subs) {
				t.Fatalf("decision %s %v %v, want deny [%s] %v", d.Decision, d.Reasons, d.CaptureQuality, c.reason, c.subs)
			}
			if d.Checks.Face != gate.CheckFail {
				t.Errorf("checks.face %s", d.Checks.Face)
			}
			m := rendered(t, d)
			if _, has := m["capture_quality"]; has != (c.subs != nil) {
				t.Errorf("rendered capture_quality %v", m["capture_quality"])
			}
		})
	}
}
