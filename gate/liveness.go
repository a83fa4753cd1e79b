package gate

import (
	"strings"

	"github.com/idgate/idgate/biometric"
)

// LiveCapture is what a FaceExtractor makes of one live JPEG: the template and the
// presentation-attack (liveness) check it ran on the same capture and face box.
type LiveCapture struct {
	Template biometric.Template
	// Liveness is nil when the extractor ran no liveness check; the gate then denies the
	// capture liveness_unverified (every live_jpeg goes through liveness).
	Liveness *Liveness
}

// Liveness is one passive-liveness result (biometric/liveness through the adapter).
type Liveness struct {
	Live      bool
	Score     float64 // mean live probability, 0..1; live needs Score >= Threshold
	Threshold float64
	Model     string // versioned model id, e.g. mfas1-xxxxxxxx
}

// CheckTerminal marks a check the gate terminal ran itself: a live_template from a gate
// trusted to check liveness before it computes the template (Config.TrustedLivenessGates).
const CheckTerminal Check = "terminal"

// LivenessPolicy says what a live_template (a template computed by the terminal, whose
// capture idgate never sees and so cannot check for a presentation attack) needs.
type LivenessPolicy struct {
	// RequireForTemplates denies a live_template liveness_unverified unless its gate is in
	// TrustedGates. Off: templates are accepted from every gate with checks.liveness skipped.
	RequireForTemplates bool
	// TrustedGates are the gate ids whose terminals run their own liveness check.
	TrustedGates []string
}

// ParseGateList parses "A1,B2, C3" into gate ids, each a valid gate id.
func ParseGateList(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !validGateID(f) {
			return nil, errorf(CodeInvalidRequest, "gate id %q: 1-16 characters of A-Z a-z 0-9 -", f)
		}
		out = append(out, f)
	}
	return out, nil
}

// templateLiveness applies the policy to a live_template sent to gate id: the reason to deny
// it, or "".
func (s *Service) templateLiveness(d *Decision, id string) Reason {
	switch {
	case s.trustedLiveness[id]:
		d.Checks.Liveness = CheckTerminal
	case s.cfg.Liveness.RequireForTemplates:
		d.Checks.Liveness = CheckFail
		return ReasonLivenessUnverified
	}
	return ""
}

// captureLiveness records the liveness check an extractor ran on a live_jpeg and returns the
// reason to deny it: liveness_unverified when none ran, presentation_attack for a spoof.
func captureLiveness(d *Decision, l *Liveness) Reason {
	if l == nil {
		d.Checks.Liveness = CheckFail
		return ReasonLivenessUnverified
	}
	d.LivenessThreshold = l.Threshold
	if !l.Live {
		d.Checks.Liveness = CheckFail
		return ReasonPresentationAttack
	}
	d.Checks.Liveness = CheckPass
	d.liveness = &l.Score
	return ""
}

// liveFaceFailed records a live capture that yields no template: checks.face fails, except
// when the liveness check refused the capture (the face was then never compared).
func liveFaceFailed(d *Decision, r Reason) {
	if d.Checks.Liveness != CheckFail {
		d.Checks.Face = CheckFail
	}
	d.deny(r)
}
