package gate

import (
	"encoding/json"
	"errors"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/credential"
)

// Check is the outcome of one check of a decision.
type Check string

const (
	CheckPass    Check = "pass"
	CheckFail    Check = "fail"
	CheckSkipped Check = "skipped" // not run: an earlier failure made it moot or impossible
)

// Checks lists every check of a gate decision.
type Checks struct {
	Credential   Check `json:"credential"`    // ID valid, bound to the holder, fresh nonce, not revoked
	BoardingPass Check `json:"boarding_pass"` // pass signed by a trusted airline
	Flight       Check `json:"flight"`        // pass is for the flight and date this gate boards
	Name         Check `json:"name"`          // pass name matches the ID
	Face         Check `json:"face"`          // live face matches (1:1 verify, 1:N identify)
	SingleUse    Check `json:"single_use"`    // pass had not boarded already
	// Liveness: the live capture is a live face, not a photo or screen (presentation-attack
	// detection); "terminal" when a trusted gate terminal checked it (live_template).
	Liveness Check `json:"liveness"`
}

// Decision is the answer of Verify, Identify and Enrol: allow or deny with machine reasons.
type Decision struct {
	Decision string   `json:"decision"` // "allow" or "deny"
	Reasons  []Reason `json:"reasons"`  // empty when allowed
	Checks   Checks   `json:"checks"`
	// distance is the face comparison's result, set by whichever check ran it. It is
	// unexported so that nothing renders it but Score and MarshalJSON, which show it with an
	// allow only.
	distance  *float32
	Threshold float32 `json:"threshold,omitempty"`
	// CaptureQuality names why a live capture was refused capture_quality (face_too_small,
	// blurred, too_dark, overexposed, head_pose, multiple_faces).
	CaptureQuality []string `json:"capture_quality,omitempty"`
	// liveness is the liveness score of a live_jpeg, rendered (as liveness_score) with an
	// allow only, for the reason Score gives.
	liveness          *float64
	LivenessThreshold float64 `json:"liveness_threshold,omitempty"`
	Gate              string  `json:"gate,omitempty"`
	Flight            *Flight `json:"flight,omitempty"`
	// PassRef is a short hash of the boarding pass (never the pass itself).
	PassRef string `json:"pass_ref,omitempty"`
	// CredentialCode is the precise credential/sdjwt code behind a credential_* reason.
	CredentialCode string `json:"credential_code,omitempty"`
	// SignedBy is the designator of the airline whose key verified the boarding pass: the
	// operating carrier, or its listed partner (Config.PassPartners) for a code-share or
	// interline pass. Absent when the signature did not verify.
	SignedBy string `json:"signed_by,omitempty"`
}

const (
	Allow = "allow"
	Deny  = "deny"
)

func newDecision(gate string) *Decision {
	return &Decision{
		Decision: Deny, Reasons: []Reason{}, Gate: gate,
		Checks: Checks{CheckSkipped, CheckSkipped, CheckSkipped, CheckSkipped, CheckSkipped, CheckSkipped, CheckSkipped},
	}
}

func (d *Decision) deny(r Reason) { d.Reasons = append(d.Reasons, r) }

// finish decides: allow only when no reason was recorded and every required check (all six
// when none are named) passed. A required check left unrun can never read as allow.
func (d *Decision) finish(required ...Check) *Decision {
	if len(required) == 0 {
		c := d.Checks
		required = []Check{c.Credential, c.BoardingPass, c.Flight, c.Name, c.Face, c.SingleUse}
	}
	d.Decision = Allow
	for _, c := range required {
		if c != CheckPass {
			d.Decision = Deny
		}
	}
	if len(d.Reasons) > 0 {
		d.Decision = Deny
	}
	if d.Decision == Deny && len(d.Reasons) == 0 {
		d.deny(ReasonInternal)
	}
	return d
}

// Allowed reports whether the decision is allow.
func (d *Decision) Allowed() bool { return d.Decision == Allow }

// Score is the Euclidean distance between the live face and the reference (lower is more
// alike; a match needs Score < Threshold), reported with an allow only: ok is false on every
// deny, whatever check failed and whether or not the faces matched. A distance returned with
// a deny is an oracle: a synthetic face can be hill-climbed towards the ID's (or, in
// Identify, an enrolled passenger's) template one request at a time.
func (d *Decision) Score() (score float32, ok bool) {
	if !d.Allowed() || d.distance == nil {
		return 0, false
	}
	return *d.distance, true
}

// LivenessScore is the live capture's liveness score (mean live probability, pass needs
// Score >= LivenessThreshold), reported with an allow only: a score returned with a deny would
// let a presentation attack be tuned one request at a time until it passes.
func (d *Decision) LivenessScore() (score float64, ok bool) {
	if !d.Allowed() || d.liveness == nil {
		return 0, false
	}
	return *d.liveness, true
}

// setScore records the distance of the face comparison that ran; Score decides whether it
// is shown.
func (d *Decision) setScore(v float32) { d.distance = &v }

// decisionFields is Decision without its methods (no MarshalJSON recursion).
type decisionFields Decision

// MarshalJSON renders the decision with "score" only when Score reports one, so no caller
// (HTTP route, batch, log) can render a deny's distance.
func (d Decision) MarshalJSON() ([]byte, error) {
	out := struct {
		*decisionFields
		Score         *float32 `json:"score,omitempty"`
		LivenessScore *float64 `json:"liveness_score,omitempty"`
	}{decisionFields: (*decisionFields)(&d)}
	if s, ok := d.Score(); ok {
		out.Score = &s
	}
	if s, ok := d.LivenessScore(); ok {
		out.LivenessScore = &s
	}
	return json.Marshal(out)
}

// credentialReason maps a credential/sdjwt code to the gate's reason vocabulary.
func credentialReason(c credential.Code) Reason {
	switch c {
	case credential.CodeRevoked:
		return ReasonCredentialRevoked
	case credential.CodeSuspended:
		return ReasonCredentialSuspend
	case credential.CodeExpired:
		return ReasonCredentialExpired
	case credential.CodeStatusUnavailable:
		return ReasonStatusUnavailable
	case credential.CodeNotDisclosed:
		return ReasonClaimNotDisclosed
	case "kb_nonce":
		return ReasonNonceInvalid
	}
	return ReasonCredentialInvalid
}

// passReason maps a boardingpass code to a reason.
func passReason(c boardingpass.Code) Reason {
	switch c {
	case boardingpass.CodeUnsigned:
		return ReasonPassUnsigned
	case boardingpass.CodeSignatureInvalid, boardingpass.CodeBadSecurity:
		return ReasonPassSignature
	case boardingpass.CodeUnknownAirline:
		return ReasonPassUnknownAirline
	}
	return ReasonPassMalformed
}

// faceReason maps a biometric failure of the live face to a reason.
func liveFaceReason(err error) Reason {
	if errors.Is(err, biometric.ErrModelMismatch) {
		return ReasonFaceModelMismatch
	}
	return ReasonLiveFaceInvalid
}
