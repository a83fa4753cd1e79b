package gate

import (
	"strings"
	"time"

	"github.com/idgate/idgate/boardingpass"
)

// Flight identifies one departure: operating carrier, flight number and the scheduled date.
type Flight struct {
	Carrier string `json:"carrier"` // IATA designator, two letters/digits, e.g. "IG"
	Number  string `json:"number"`  // Resolution 792 form: four digits and an optional suffix, e.g. "0101"
	Date    string `json:"date"`    // YYYY-MM-DD (the local departure date printed on the pass)
}

// NewFlight validates and normalises a flight ("ig", "101", "2026-11-27" → IG 0101 2026-11-27).
func NewFlight(carrier, number, date string) (Flight, error) {
	carrier = strings.ToUpper(strings.TrimSpace(carrier))
	if len(carrier) != 2 || !isAlnumUpper(carrier) {
		return Flight{}, errorf(CodeInvalidRequest, "carrier must be a two-character IATA designator")
	}
	n, err := boardingpass.NormalizeFlight(strings.ToUpper(strings.TrimSpace(number)))
	if err != nil {
		return Flight{}, errorf(CodeInvalidRequest, "flight number must be 1-4 digits and an optional letter")
	}
	d, err := time.Parse(time.DateOnly, date)
	if err != nil || d.Format(time.DateOnly) != date {
		return Flight{}, errorf(CodeInvalidRequest, "date must be YYYY-MM-DD")
	}
	return Flight{Carrier: carrier, Number: n, Date: date}, nil
}

// ParseFlightPath parses the path form "IG0101" (designator then number) and a date.
func ParseFlightPath(designatorNumber, date string) (Flight, error) {
	if len(designatorNumber) < 3 || len(designatorNumber) > 7 {
		return Flight{}, errorf(CodeInvalidRequest, "flight must look like IG0101")
	}
	return NewFlight(designatorNumber[:2], designatorNumber[2:], date)
}

// Key is the flight's storage key, e.g. "IG0101/2026-11-27".
func (f Flight) Key() string { return f.Carrier + f.Number + "/" + f.Date }

// maxUTCOffsetEast is the largest local time offset ahead of UTC (UTC+14, Line Islands).
const maxUTCOffsetEast = 14 * time.Hour

// day returns the flight date at midnight UTC.
func (f Flight) day() time.Time {
	d, _ := time.Parse(time.DateOnly, f.Date)
	return d
}

// DefaultDeparture is used when no departure time was configured. The flight date is local
// to the departure airport, so the latest instant it can name is its end at UTC-12, 36 h
// after midnight UTC; the default adds the brief's conservative 24 h + 14 h plus a 2 h margin
// (flight date + 40 h), so retention never purges a gallery before a late westbound flight
// has boarded. It only ever delays a purge, never brings it forward.
func (f Flight) DefaultDeparture() time.Time { return f.day().Add(defaultDepartureAfter) }

const (
	defaultDepartureAfter = 24*time.Hour + 14*time.Hour + 2*time.Hour
	// A departure given for a flight (gate PUT, enrolment) must lie within this window around
	// midnight UTC of the flight date: every time zone (UTC-12..UTC+14) plus a day of delay.
	// Outside it a value is an error: a client-chosen year 9999 would outlive every purge.
	departureEarliest = -24 * time.Hour
	departureLatest   = 48 * time.Hour
)

// checkDeparture validates a departure time supplied for f.
func (f Flight) checkDeparture(t time.Time) error {
	day := f.day()
	if t.Before(day.Add(departureEarliest)) || t.After(day.Add(departureLatest)) {
		return errorf(CodeInvalidRequest, "departure must be within -24 h..+48 h of the flight date")
	}
	return nil
}

// booking returns the canonical booking (boardingpass.Leg.Booking) of the pass's leg for f:
// one whose operating carrier and flight number, however written, are f's, on f's date (the
// BCBP date carries no year: it is resolved nearest to the flight date, so a pass for the same
// day of another year never matches). ok is false when no leg is for f; err is set when a leg
// for f has a booking with no canonical form (the pass is malformed).
//
// A pass may have two legs under f's number and date (a through flight: FRA-LHR-JFK as
// IG0101 twice). The booking does not depend on the gate's airport: check-in enrolment, which
// keys the walk-through gallery on it, has no gate, and a gate that keyed verify on its own
// leg would let one passenger board once by verify and once by identify. So it takes the
// least booking (by origin, then PNR, then sequence) rather than the first leg: the choice
// must not depend on the order the legs are written in, or a reprint listing them the other
// way round would be another booking. A gate that knows its airport checks departsFrom
// besides.
func (f Flight) booking(p *boardingpass.Pass) (b boardingpass.Booking, ok bool, err error) {
	day := f.day()
	for i := range p.Legs {
		l := &p.Legs[i]
		carrier, number, canon := l.CanonicalFlight()
		if !canon || carrier != f.Carrier || number != f.Number || !l.Date(day).Equal(day) {
			continue
		}
		lb, err := l.Booking()
		if err != nil {
			return boardingpass.Booking{}, false, err
		}
		if !ok || lessBooking(lb, b) {
			b, ok = lb, true
		}
	}
	return b, ok, nil
}

// departsFrom reports whether one of the pass's legs for f (as booking matches them) departs
// from airport, a canonical IATA code: at a gate with GateConfig.Airport, a pass for another
// leg of the same through flight is not for this gate.
func (f Flight) departsFrom(p *boardingpass.Pass, airport string) bool {
	day := f.day()
	for i := range p.Legs {
		l := &p.Legs[i]
		carrier, number, canon := l.CanonicalFlight()
		if !canon || carrier != f.Carrier || number != f.Number || !l.Date(day).Equal(day) {
			continue
		}
		if b, err := l.Booking(); err == nil && b.From == airport {
			return true
		}
	}
	return false
}

func lessBooking(a, b boardingpass.Booking) bool {
	if a.From != b.From {
		return a.From < b.From
	}
	if a.PNR != b.PNR {
		return a.PNR < b.PNR
	}
	return a.Sequence < b.Sequence
}

// isAirportCode accepts an IATA airport code as Resolution 792 writes it: three letters A-Z.
func isAirportCode(s string) bool {
	return len(s) == 3 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

func isAlnumUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// validGateID accepts 1..16 characters of [A-Za-z0-9-]: ids appear in paths, logs and metrics.
func validGateID(id string) bool {
	if id == "" || len(id) > 16 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
