package gate

import (
	"context"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/credential"
)

// Enrol links a boarding pass to the face template disclosed from the ID at check-in and
// adds it to flight f's gallery. The presentation must be bound to CheckinNonce(f); the pass
// must be signed, for f, and in the ID holder's name; the sealed template must open with the
// reader key. Only the sealed template (JWE) is stored. Checks.SingleUse is not part of an
// enrolment and stays skipped.
func (s *Service) Enrol(ctx context.Context, f Flight, req *EnrolRequest) *Decision {
	start := time.Now()
	d := newDecision("")
	d.Flight = &f
	var ref PassID
	defer func() { s.record("enrol", d, ref, start) }()
	now := s.cfg.Now()
	dep := f.DefaultDeparture()
	if req.Departure != nil {
		if f.checkDeparture(*req.Departure) != nil { // client-supplied: bounded, or retention is theirs to set
			d.deny(ReasonMalformedRequest)
			return d.finish()
		}
		dep = req.Departure.UTC()
	}

	res, credOK := s.verifyCredential(ctx, d, s.CheckinAudience(f), req.Presentation)
	pass, passOK := s.verifyPass(d, f, req.BCBP, now)
	if passOK {
		ref = passID(f, pass)
		d.PassRef = string(ref[:16])
	}
	var tmpl biometric.Template
	sealed := ""
	if credOK {
		sealed, _ = res.Claims[credential.FaceTemplateClaim].(string)
		t, err := biometric.Open(sealed, s.readerKey())
		if err != nil {
			d.Checks.Face = CheckFail
			d.deny(ReasonFaceTemplate)
		} else {
			tmpl, d.Checks.Face = t, CheckPass
		}
	}
	if credOK && passOK {
		family, _ := res.Claims["family_name"].(string)
		given, _ := res.Claims["given_name"].(string)
		if NameMatches(pass.Name, family, given) {
			d.Checks.Name = CheckPass
		} else {
			d.Checks.Name = CheckFail
			d.deny(ReasonNameMismatch)
		}
	}
	c := d.Checks
	if d.finish(c.Credential, c.BoardingPass, c.Flight, c.Name, c.Face); !d.Allowed() {
		return d
	}
	e := Enrolment{Flight: f.Key(), Pass: ref, Sealed: sealed, Departure: dep, EnrolledAt: now.UTC()}
	if err := s.cfg.Store.Enrol(ctx, e); err != nil {
		s.cfg.Logger.Error("gate store", "op", "enrol", "err", err)
		d.Decision = Deny
		d.deny(ReasonInternal)
		return d
	}
	if v, ok := s.galleries.Load(e.Flight); ok {
		fg := v.(*flightGallery)
		fg.mu.Lock()
		if fg.loaded {
			fg.addLocked(ref, tmpl, dep)
		}
		fg.mu.Unlock()
	}
	return d
}
