package gate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/sdjwt"
)

// claimsAtGate are the claims a gate presentation must disclose.
var claimsAtGate = []string{"family_name", "given_name", credential.FaceTemplateClaim}

// Verify decides one boarding at gate id. It never returns an error: every failure, including
// internal ones, is a deny with reasons (fail closed). The pass is marked boarded (atomically,
// in the Store) only when every other check passed.
func (s *Service) Verify(ctx context.Context, id string, req *VerifyRequest) *Decision {
	start := time.Now()
	d := newDecision(id)
	var ref PassID
	defer func() { s.record("verify", d, ref, start) }()

	g, ok := s.gateFor(ctx, id, d)
	if !ok {
		return d.finish()
	}
	now := s.cfg.Now()

	// Cheap checks first, so that garbage costs no public-key operation.
	live, liveReason := s.liveTemplate(d, id, req.LiveFace)

	aud := s.GateAudience(id)
	pid, spent, credOK := s.verifyID(ctx, d, aud, req.Presentation, req.Mdoc, req.Nonce)

	pass, booking, passOK := s.verifyPass(d, g.Flight, req.BCBP, now)
	if passOK && g.Airport != "" && !g.Flight.departsFrom(pass, g.Airport) {
		d.Checks.Flight = CheckFail
		d.deny(ReasonWrongFlight) // a leg of this flight that departs elsewhere
		passOK = false
	}
	if passOK {
		ref = bookingKey(g.Flight, booking)
		d.PassRef = string(ref[:16])
	}

	if credOK && passOK {
		d.checkName(pass.Name, pid.claims)
	}

	switch {
	case liveReason != "":
		liveFaceFailed(d, liveReason)
	case credOK:
		s.compareFace(d, live, pid.sealed)
	}

	if len(d.Reasons) == 0 && !s.markBoarded(ctx, d, g, ref, now, spent.requestID()) {
		s.restoreNonce(ctx, spent) // nothing was recorded: the same request may be sent again
	}
	return d.finish()
}

// gateFor loads the gate and checks it is boarding.
func (s *Service) gateFor(ctx context.Context, id string, d *Decision) (GateConfig, bool) {
	g, err := s.Gate(ctx, id)
	switch {
	case errors.Is(err, ErrGateNotFound):
		d.deny(ReasonUnknownGate)
		return g, false
	case err != nil:
		d.deny(ReasonInternal)
		return g, false
	}
	d.Flight = &g.Flight
	if !g.Boarding {
		d.deny(ReasonGateNotBoarding)
		return g, false
	}
	return g, true
}

// liveTemplate turns the live capture at gate id into a template, or names why it cannot.
// It also runs the liveness check (live_jpeg) or applies the liveness policy (live_template),
// recording checks.liveness in d; a liveness failure is returned as the reason
// (presentation_attack, liveness_unverified).
func (s *Service) liveTemplate(d *Decision, id string, f LiveFace) (biometric.Template, Reason) {
	if f.Template != "" {
		t, err := biometric.ParseTemplateString(f.Template)
		if err != nil {
			return t, ReasonLiveFaceInvalid
		}
		if r := s.templateLiveness(d, id); r != "" {
			return biometric.Template{}, r
		}
		return t, ""
	}
	if s.cfg.Face == nil {
		return biometric.Template{}, ReasonNoFaceExtractor
	}
	if !isJPEG(f.JPEG) { // also checked when decoding; Verify may be called without it
		return biometric.Template{}, ReasonLiveFaceInvalid
	}
	c, err := s.cfg.Face.LiveCapture(f.JPEG)
	if q := qualityReasons(err); len(q) > 0 {
		d.CaptureQuality = q
		return biometric.Template{}, ReasonCaptureQuality
	}
	if err != nil {
		return biometric.Template{}, ReasonLiveFaceInvalid
	}
	if r := captureLiveness(d, c.Liveness); r != "" {
		return biometric.Template{}, r
	}
	return c.Template, ""
}

// passengerID is what the gate reads from a verified ID, whichever its form.
type passengerID struct {
	claims  map[string]any // family_name, given_name (checkName); face_template
	sealed  string         // the face template JWE to the gate reader key
	status  credential.StatusRef
	expires time.Time
}

// verifyID verifies the request's ID, an SD-JWT VC presentation or an mdoc (with the nonce
// its transcript binds; DecodeVerifyRequest and DecodeEnrolRequest let exactly one through),
// consuming its nonce for aud first. The nonce it spent is returned for restoreNonce.
func (s *Service) verifyID(ctx context.Context, d *Decision, aud, presentation, mdocB64, nonce string) (*passengerID, spentNonce, bool) {
	if mdocB64 != "" {
		return s.verifyMdoc(ctx, d, aud, mdocB64, nonce)
	}
	res, spent, ok := s.verifyCredential(ctx, d, aud, presentation)
	if !ok {
		return nil, spent, false
	}
	sealed, _ := res.Claims[credential.FaceTemplateClaim].(string)
	return &passengerID{claims: res.Claims, sealed: sealed, status: res.Status, expires: res.ExpiresAt}, spent, true
}

// credentialFailed records a failed credential check with its precise code.
func credentialFailed(d *Decision, code credential.Code) {
	d.Checks.Credential = CheckFail
	d.CredentialCode = string(code)
	d.deny(credentialReason(code))
}

// verifyCredential consumes the presentation's nonce for aud, then verifies the presentation.
// The nonce it spent is returned for restoreNonce.
func (s *Service) verifyCredential(ctx context.Context, d *Decision, aud, presentation string) (*credential.Result, spentNonce, bool) {
	nonce := peekNonce(presentation)
	spent, ok := s.takeNonce(ctx, aud, nonce)
	// The KB-JWT names the whole presentation (its sd_hash) and is signed by the holder, so
	// hashing it identifies the presentation from a few hundred bytes instead of several
	// kilobytes.
	spent.pres = sha256.Sum256([]byte(presentation[strings.LastIndexByte(presentation, '~')+1:]))
	if !ok {
		d.Checks.Credential = CheckFail
		d.deny(ReasonNonceInvalid)
		return nil, spent, false
	}
	res, err := s.cfg.Credentials.Verify(ctx, presentation, credential.Expectation{Audience: aud, Nonce: nonce, Claims: claimsAtGate})
	if err != nil {
		credentialFailed(d, credential.CodeOf(err))
		return nil, spent, false
	}
	d.Checks.Credential = CheckPass
	return res, spent, true
}

// verifyPass checks the airline signature and that the pass is for flight. The signature
// must verify under a key trusted for exactly one airline, passSigner's choice: the flight's
// operating carrier (f.Carrier), or the partner of f.Carrier (Config.PassPartners) that the
// pass declares as its issuer. Either way matchLeg only accepts legs f.Carrier operates on
// the gate's flight and date; that leg's booking, in canonical form, is returned for the
// single-use key (bookingKey). The airline whose key verified goes into d.SignedBy.
func (s *Service) verifyPass(d *Decision, f Flight, bcbp string, now time.Time) (*boardingpass.Pass, boardingpass.Booking, bool) {
	signer := s.passSigner(bcbp, f.Carrier)
	p, err := boardingpass.VerifyFor(bcbp, s.cfg.Passes, now, signer)
	if err != nil {
		var be *boardingpass.Error
		code := boardingpass.Code("")
		if errors.As(err, &be) {
			code = be.Code
		}
		d.Checks.BoardingPass = CheckFail
		d.deny(passReason(code))
		return nil, boardingpass.Booking{}, false
	}
	d.SignedBy = signer
	b, matched, err := f.booking(p)
	if err != nil { // signed, but its booking for this flight cannot be told apart from another's
		d.Checks.BoardingPass = CheckFail
		d.deny(ReasonPassMalformed)
		return p, b, false
	}
	d.Checks.BoardingPass = CheckPass
	if !matched {
		d.Checks.Flight = CheckFail
		d.deny(ReasonWrongFlight)
		return p, b, false
	}
	if !s.issuedFor(p, f, now) {
		d.Checks.Flight = CheckFail
		d.deny(ReasonPassStale)
		return p, b, false
	}
	d.Checks.Flight = CheckPass
	return p, b, true
}

// issuedFor reports whether the pass's date of issue places it in this year's flight f. The
// flight date in a BCBP has no year, so last year's pass for the same flight number and day
// would otherwise match; the date of issue (last digit of the year + day of year) must lie
// within PassIssueWindow before the flight date. It is conditional in Resolution 792 but
// written by every check-in channel we accept (airline.Issuer always writes it); a pass
// without it is denied (fail closed). It is resolved against now+14 h, so a pass issued on a
// local date ahead of UTC (up to UTC+14) is not pushed back a decade.
func (s *Service) issuedFor(p *boardingpass.Pass, f Flight, now time.Time) bool {
	if p.Unique == nil {
		return false
	}
	issued, ok := p.Unique.Issued(now.Add(maxUTCOffsetEast))
	return ok && !issued.Before(f.day().Add(-s.cfg.PassIssueWindow))
}

// compareFace opens the ID's sealed template and compares the live one at the operating point.
func (s *Service) compareFace(d *Decision, live biometric.Template, sealed string) {
	ref, err := biometric.Open(sealed, s.readerKey())
	if err != nil {
		d.Checks.Face = CheckFail
		d.deny(ReasonFaceTemplate)
		return
	}
	dec, err := s.cfg.OperatingPoint.Verify(live, ref)
	if err != nil {
		d.Checks.Face = CheckFail
		d.deny(liveFaceReason(err))
		return
	}
	d.setScore(dec.Distance) // shown with an allow only (Decision.Score)
	d.Threshold = dec.Threshold
	if !dec.Match {
		d.Checks.Face = CheckFail
		d.deny(ReasonFaceMismatch)
		return
	}
	d.Checks.Face = CheckPass
}

// markBoarded is the single-use check: the Store's atomic insert decides among concurrent
// requests for the same pass. It returns false only when the Store failed: the boarding is
// then not known to be recorded. The Store records req, so when such a failure hid a commit, the same request resent (its nonce put back) is answered boarded
// rather than already_boarded for a passenger who never passed.
func (s *Service) markBoarded(ctx context.Context, d *Decision, g GateConfig, ref PassID, now time.Time, req AttemptID) bool {
	err := s.cfg.Store.MarkBoardedBy(ctx, g.Flight.Key(), ref, g.Departure, now, req)
	switch {
	case err == nil:
		d.Checks.SingleUse = CheckPass
	case errors.Is(err, ErrAlreadyBoarded):
		d.Checks.SingleUse = CheckFail
		d.deny(ReasonAlreadyBoarded)
	default:
		d.Checks.SingleUse = CheckFail
		d.deny(ReasonInternal)
		s.cfg.Logger.Error("gate store", "op", "mark_boarded", "err", err)
		return false
	}
	return true
}

// record logs and counts a decision: gate, outcome, reasons and a pass hash only.
func (s *Service) record(route string, d *Decision, ref PassID, start time.Time) {
	s.cfg.Metrics.ObserveDecision(route, d)
	if !s.cfg.Logger.Enabled(context.Background(), slog.LevelInfo) {
		return
	}
	flight := ""
	if d.Flight != nil {
		flight = d.Flight.Key()
	}
	s.cfg.Logger.LogAttrs(context.Background(), slog.LevelInfo, "gate decision",
		slog.String("route", route), slog.String("gate", d.Gate), slog.String("flight", flight),
		slog.String("decision", d.Decision), slog.Any("reasons", d.Reasons),
		slog.String("pass_ref", string(ref[:min(len(ref), 16)])), slog.Duration("took", time.Since(start)))
}

// bookingKey is the single-use key of booking b on flight f (see PassID): SHA-256 over f's key
// and b's canonical PNR, origin and check-in sequence. A pass written as Resolution 792
// prescribes has exactly these values in its fields (less their padding), so its key is the
// same whether hashed from the fields or from the canonical values; the domain string names
// this derivation, which a Store's boarding records depend on (see PassID).
func bookingKey(f Flight, b boardingpass.Booking) PassID {
	h := sha256.New()
	for _, part := range []string{"bcbp-booking/1", f.Key(), b.PNR, b.From, b.Sequence} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return PassID(hex.EncodeToString(h.Sum(nil)))
}

// peekNonce reads the nonce claim of the presentation's KB-JWT without verifying it, so the
// single-use nonce can be consumed before any signature work; Verify then checks it for real.
func peekNonce(presentation string) string {
	if n := sdjwt.PeekNonce(presentation); len(n) <= 256 {
		return n
	}
	return ""
}
