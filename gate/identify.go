package gate

import (
	"context"
	"time"

	"github.com/idgate/idgate/credential"
)

// Identify is walk-through boarding: the live face alone is searched (1:N) in the gallery of
// the flight gate id boards. The nearest enrolment boards (single use applies) when it is
// under the operating point's threshold, no second enrolment also is (ambiguous_match: fail
// closed rather than board the wrong passenger), and the enrolled ID is still valid now, as
// Verify asks for it (Checks.Credential): not expired (credential_expired, also when the
// enrolment kept no expiry), and its status neither revoked nor suspended
// (credential_revoked, credential_suspended, or status_unavailable when the list cannot be
// had or the enrolment kept no reference). An ID that expired or was revoked after check-in
// does not board. The pass, flight and name were checked at enrolment.
func (s *Service) Identify(ctx context.Context, id string, req *IdentifyRequest) *Decision {
	start := time.Now()
	d := newDecision(id)
	var ref PassID
	defer func() { s.record("identify", d, ref, start) }()

	g, ok := s.gateFor(ctx, id, d)
	if !ok {
		return d.finish()
	}
	live, reason := s.liveTemplate(d, id, req.LiveFace)
	if reason != "" {
		liveFaceFailed(d, reason)
		return d.finish()
	}
	fg, err := s.flightGallery(ctx, g.Flight.Key())
	if err != nil {
		d.deny(ReasonInternal)
		return d.finish()
	}
	cands, err := fg.search(live)
	thr := s.cfg.OperatingPoint.Threshold
	d.Threshold = thr
	switch {
	case !validThreshold(thr): // New rejects it; checked again because an error here boards strangers
		d.Checks.Face = CheckFail
		d.deny(ReasonInternal)
		return d.finish()
	case err != nil:
		d.Checks.Face = CheckFail
		d.deny(liveFaceReason(err))
		return d.finish()
	// A deny carries no score (Decision.Score): identify needs no credential, so a distance
	// returned to the terminal would let anyone with a camera feed hill-climb towards an
	// enrolled face.
	case len(cands) == 0 || !(cands[0].Distance < thr):
		d.Checks.Face = CheckFail
		d.deny(ReasonNoMatch)
		return d.finish()
	case len(cands) > 1 && cands[1].Distance < thr:
		d.Checks.Face = CheckFail
		d.deny(ReasonAmbiguousMatch)
		return d.finish()
	}
	d.Checks.Face = CheckPass
	d.setScore(cands[0].Distance)
	ref = PassID(cands[0].ID)
	d.PassRef = string(ref[:min(16, len(ref))])
	if !s.cfg.Now().Before(fg.idExpiresOf(ref)) {
		d.Checks.Credential = CheckFail
		d.CredentialCode = string(credential.CodeExpired)
		d.deny(ReasonCredentialExpired)
		return d.finish()
	}
	// The status list's cache (Config.Status) makes this a lookup on most boardings.
	if err := credential.CheckStatus(ctx, s.cfg.Status, fg.statusOf(ref)); err != nil {
		code := credential.CodeOf(err)
		d.Checks.Credential = CheckFail
		d.CredentialCode = string(code)
		d.deny(credentialReason(code))
		return d.finish()
	}
	d.Checks.Credential = CheckPass
	s.markBoarded(ctx, d, g, ref, s.cfg.Now(), AttemptID{}) // no nonce: a face alone names no request
	return d.finish(d.Checks.Credential, d.Checks.Face, d.Checks.SingleUse)
}
