package gate

import (
	"context"
	"time"

	"github.com/idgate/idgate/biometric"
)

// Enrol links a boarding pass to the face template disclosed from the ID at check-in and
// adds it to flight f's gallery. The presentation must be bound to CheckinNonce(f); the pass
// must be signed, for f, and in the ID holder's name; the sealed template must open with the
// reader key. Only the sealed template (JWE) is stored. Checks.SingleUse is not part of an
// enrolment and stays skipped.
func (s *Service) Enrol(ctx context.Context, f Flight, req *EnrolRequest) *Decision {
	start := time.Now()
	v := s.checkEnrol(ctx, f, req)
	defer func() { s.record("enrol", v.d, v.ref, start) }()
	if !v.d.Allowed() {
		return v.d
	}
	if err := s.cfg.Store.Enrol(ctx, v.e); err != nil {
		s.cfg.Logger.Error("gate store", "op", "enrol", "err", err)
		s.storeFailed(ctx, v)
		return v.d
	}
	s.addEnrolled(v.e.Flight, []*enrolCheck{v})
	return v.d
}

// enrolCheck is one verified enrolment: its decision and, when allowed, the row to store and
// the opened template for an already loaded gallery.
type enrolCheck struct {
	d     *Decision
	ref   PassID
	e     Enrolment
	tmpl  biometric.Template
	spent spentNonce // the check-in nonce its presentation consumed
}

// storeFailed turns allowed enrolments into denies: nothing of them was stored, so their
// nonces are put back and the check-in may send the same items again.
func (s *Service) storeFailed(ctx context.Context, vs ...*enrolCheck) {
	spent := make([]spentNonce, len(vs))
	for i, v := range vs {
		v.d.Decision = Deny
		v.d.deny(ReasonInternal)
		spent[i] = v.spent
	}
	s.restoreNonces(ctx, spent)
}

// checkEnrol runs every check of an enrolment (nonce, credential, pass, flight, name, sealed
// template) without storing anything. The decision is final unless the store write fails.
func (s *Service) checkEnrol(ctx context.Context, f Flight, req *EnrolRequest) *enrolCheck {
	d := newDecision("")
	d.Flight = &f
	v := &enrolCheck{d: d}
	now := s.cfg.Now()
	dep := f.DefaultDeparture()
	if req.Departure != nil {
		if f.checkDeparture(*req.Departure) != nil { // client-supplied: bounded, or retention is theirs to set
			d.deny(ReasonMalformedRequest)
			d.finish()
			return v
		}
		dep = req.Departure.UTC()
	}

	pid, spent, credOK := s.verifyID(ctx, d, s.CheckinAudience(f), req.Presentation, req.Mdoc, req.Nonce)
	v.spent = spent
	pass, booking, passOK := s.verifyPass(d, f, req.BCBP, now)
	if passOK {
		v.ref = bookingKey(f, booking)
		d.PassRef = string(v.ref[:16])
	}
	sealed := ""
	if credOK {
		sealed = pid.sealed
		t, err := biometric.Open(sealed, s.readerKey())
		if err != nil {
			d.Checks.Face = CheckFail
			d.deny(ReasonFaceTemplate)
		} else {
			v.tmpl, d.Checks.Face = t, CheckPass
		}
	}
	if credOK && passOK {
		d.checkName(pass.Name, pid.claims)
	}
	c := d.Checks
	if d.finish(c.Credential, c.BoardingPass, c.Flight, c.Name, c.Face); d.Allowed() {
		v.e = Enrolment{Flight: f.Key(), Pass: v.ref, Sealed: sealed, Departure: dep, EnrolledAt: now.UTC(), Status: pid.status, IDExpires: pid.expires.UTC()}
	}
	return v
}

// addEnrolled adds stored enrolments, in order (a later one for the same pass replaces an
// earlier one), to the flight's gallery if it is loaded; an unloaded gallery reads them from
// the Store when first used.
func (s *Service) addEnrolled(flight string, vs []*enrolCheck) {
	v, ok := s.galleries.Load(flight)
	if !ok {
		return
	}
	fg := v.(*flightGallery)
	fg.mu.Lock()
	defer fg.mu.Unlock()
	if !fg.loaded {
		return
	}
	fg.ver++
	for _, c := range vs {
		fg.addLocked(c.ref, c.tmpl, &c.e)
		fg.sealed[c.ref], fg.localVer[c.ref] = rowHash(&c.e), fg.ver
	}
}
