package airline

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/certs"
)

// PassRequest is one checked-in passenger on one flight.
type PassRequest struct {
	Name        string `json:"name"`        // SURNAME/GIVEN, at most 20 characters
	PNR         string `json:"pnr"`         // booking reference, at most 7 characters
	From        string `json:"from"`        // IATA airport code
	To          string `json:"to"`          // IATA airport code
	Flight      string `json:"flight"`      // e.g. 0101 or 101A
	Date        string `json:"date"`        // YYYY-MM-DD
	Seat        string `json:"seat"`        // e.g. 12A
	Sequence    string `json:"seq"`         // check-in sequence number
	Compartment string `json:"compartment"` // one letter; default Y
}

// ErrInvalidRequest marks a pass request that cannot become a valid boarding pass.
var ErrInvalidRequest = errors.New("airline: invalid pass request")

// Issuer issues boarding passes for one operating carrier.
type Issuer struct {
	designator string
	signer     certs.Signer
	now        func() time.Time
}

// NewIssuer returns an Issuer for the airline designator signing with s.
func NewIssuer(designator string, s certs.Signer, now func() time.Time) (*Issuer, error) {
	if len(designator) < 2 || len(designator) > 3 || s == nil {
		return nil, fmt.Errorf("airline: designator %q and a signer are required", designator)
	}
	if len(s.Chain()) == 0 {
		return nil, fmt.Errorf("airline: signer %s has no certificate", designator)
	}
	// Gates refuse passes signed under another role's certificate: refuse it here.
	if err := certs.ProfileBoardingPassSigner.Check(s.Chain()[0]); err != nil {
		return nil, fmt.Errorf("airline: %s signing certificate: %w", designator, err)
	}
	if now == nil {
		now = time.Now
	}
	return &Issuer{designator: strings.ToUpper(designator), signer: s, now: now}, nil
}

// Issue builds the pass for r and signs it.
func (i *Issuer) Issue(r PassRequest) (string, error) {
	p, err := i.Build(r)
	if err != nil {
		return "", err
	}
	unsigned, err := p.Encode()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	return boardingpass.Sign(unsigned, i.signer)
}

// Build turns r into an unsigned one-leg version 8 pass issued by the operating carrier.
func (i *Issuer) Build(r PassRequest) (*boardingpass.Pass, error) {
	bad := func(format string, args ...any) (*boardingpass.Pass, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrInvalidRequest}, args...)...)
	}
	for field, v := range map[string]string{"name": r.Name, "pnr": r.PNR, "from": r.From, "to": r.To,
		"flight": r.Flight, "date": r.Date, "seat": r.Seat, "seq": r.Sequence} {
		if strings.TrimSpace(v) == "" {
			return bad("%s is required", field)
		}
	}
	if r.Compartment == "" {
		r.Compartment = "Y"
	}
	if len(r.Compartment) != 1 {
		return bad("compartment must be one character, got %q", r.Compartment)
	}
	day, err := time.Parse(time.DateOnly, r.Date)
	if err != nil {
		return bad("date: %v", err)
	}
	flight, err := boardingpass.NormalizeFlight(r.Flight)
	if err != nil {
		return bad("flight: %v", err)
	}
	seat, err := boardingpass.NormalizeSeat(strings.ToUpper(r.Seat))
	if err != nil {
		return bad("seat: %v", err)
	}
	seq, err := boardingpass.NormalizeSequence(r.Sequence)
	if err != nil {
		return bad("seq: %v", err)
	}
	now := i.now().UTC()
	issued := fmt.Sprintf("%d%03d", now.Year()%10, now.YearDay())
	return &boardingpass.Pass{
		Name: strings.ToUpper(r.Name), ETicket: 'E', Version: 8,
		Unique: &boardingpass.UniqueConditional{IssuanceSource: 'W', IssueDate: issued, DocumentType: 'B', Issuer: i.designator},
		Legs: []boardingpass.Leg{{
			PNR: strings.ToUpper(r.PNR), From: strings.ToUpper(r.From), To: strings.ToUpper(r.To), Carrier: i.designator,
			Flight: flight, JulianDate: day.YearDay(), Compartment: strings.ToUpper(r.Compartment)[0],
			Seat: seat, Sequence: seq, Status: '1', // 1: ticket issued, passenger checked in
		}},
	}, nil
}
