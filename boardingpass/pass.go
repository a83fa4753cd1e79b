package boardingpass

import (
	"strings"
	"time"
)

// MaxLen bounds the input: the 23 unique mandatory characters, at most four legs of 37
// mandatory characters plus a conditional section of at most 0xFF, and a security section of
// at most 4+0xFF. Nothing longer can be a valid M-format pass.
const MaxLen = uniqueLen + maxLegs*(legLen+0xFF) + 4 + 0xFF

const (
	uniqueLen = 23 // format code, number of legs, name (20), e-ticket indicator
	legLen    = 37 // repeated mandatory items including the 2-hex conditional size
	maxLegs   = 4  // Resolution 792: "Number of Legs Encoded" 1..4
	nameLen   = 20
)

// Pass is one M-format Bar Coded Boarding Pass. Mandatory string fields are held without their
// trailing space padding (Encode pads them back); Name keeps its raw 20 characters.
type Pass struct {
	Name    string // passenger name, SURNAME/GIVEN TITLE, raw 20 characters
	ETicket byte   // electronic ticket indicator, 'E' or ' '
	Legs    []Leg  // 1..4 legs, leg 1 first

	// Version is the BCBP version number (1..9) following '>' in leg 1's conditional section;
	// 0 means the pass has no conditional section at all.
	Version int
	// Unique holds the unique conditional items (leg 1 only); nil when the size field is absent.
	Unique *UniqueConditional
	// Security is the security section after '^'; nil when absent.
	Security *Security
}

// Leg is one flight segment: the repeated mandatory items and its conditional section.
type Leg struct {
	PNR         string // operating carrier PNR code (7)
	From        string // from city airport code (3)
	To          string // to city airport code (3)
	Carrier     string // operating carrier designator (3)
	Flight      string // flight number, 4 digits + optional suffix (5)
	JulianDate  int    // date of flight, day of year 1..366
	Compartment byte   // compartment code
	Seat        string // seat number (4), e.g. "012C"
	Sequence    string // check-in sequence number (5)
	Status      byte   // passenger status

	// Cond holds the repeated conditional items; nil when the leg has no size field for them.
	Cond *LegConditional
	// AirlineUse is the "for individual airline use" data, kept verbatim.
	AirlineUse string
}

// UniqueConditional is the unique conditional section (items 15, 12, 14, 22, 16, 21, 23, 31,
// 32). String values are held without trailing padding. Fields counts how many of the items,
// in order, the barcode carried, so that blank-but-present items survive a round trip; Encode
// writes max(Fields, last non-empty item) items. Extra is whatever the size field announced
// beyond the known items (a later version's items, or a partial item), kept verbatim.
type UniqueConditional struct {
	PassengerDescription byte
	CheckInSource        byte
	IssuanceSource       byte
	IssueDate            string    // date of issue: last digit of year + day of year (4)
	DocumentType         byte      // 'B' boarding pass, 'I' itinerary receipt
	Issuer               string    // airline designator of boarding pass issuer (3)
	BagTags              [3]string // baggage tag licence plate numbers (13 each)
	Fields               int
	Extra                string
}

// LegConditional is a leg's repeated conditional section (items 142, 143, 18, 108, 19, 20,
// 236, 89, 118, 254). Fields and Extra work as in UniqueConditional. Versions 2 and 3 end
// before FastTrack; parsing follows the size field, not the version number.
type LegConditional struct {
	AirlineNumeric       string // airline numeric code (3)
	SerialNumber         string // document form/serial number (10)
	Selectee             byte
	DocVerification      byte   // international documentation verification
	MarketingCarrier     string // marketing carrier designator (3)
	FrequentFlyerAirline string // (3)
	FrequentFlyerNumber  string // (16)
	IDAD                 byte   // ID/AD indicator
	FreeBaggage          string // free baggage allowance (3)
	FastTrack            byte
	Fields               int
	Extra                string
}

// Security is the security section: '^', a one-character type, a 2-hex length and the data.
type Security struct {
	Type byte
	Data string
}

// Surname is the part of Name before '/', without padding.
func (p *Pass) Surname() string {
	n := strings.TrimRight(p.Name, " ")
	if i := strings.IndexByte(n, '/'); i >= 0 {
		return n[:i]
	}
	return n
}

// GivenName is the part of Name after '/' (given names and any title), without padding;
// empty when the name has no '/'.
func (p *Pass) GivenName() string {
	n := strings.TrimRight(p.Name, " ")
	if i := strings.IndexByte(n, '/'); i >= 0 {
		return n[i+1:]
	}
	return ""
}

// Date resolves the leg's Julian date (day of year, no year in the barcode) to the calendar
// date, in UTC, nearest to ref among the previous, current and next year of ref. Day 366 only
// exists in leap years. It returns the zero time when JulianDate is out of range.
func (l Leg) Date(ref time.Time) time.Time {
	if l.JulianDate < 1 || l.JulianDate > 366 {
		return time.Time{}
	}
	ref = ref.UTC()
	var best time.Time
	var bestDist time.Duration
	for y := ref.Year() - 1; y <= ref.Year()+1; y++ {
		d := time.Date(y, 1, l.JulianDate, 0, 0, 0, 0, time.UTC)
		if d.Year() != y { // day 366 of a common year
			continue
		}
		dist := d.Sub(ref).Abs()
		if best.IsZero() || dist < bestDist {
			best, bestDist = d, dist
		}
	}
	return best
}

// Issued resolves IssueDate (last digit of the year, then day of year) to the latest such
// date not after ref (a pass is issued before it is read). ok is false when IssueDate is not
// four digits or names no valid day in the ten years up to ref.
func (u *UniqueConditional) Issued(ref time.Time) (t time.Time, ok bool) {
	if len(u.IssueDate) != 4 || !allDigits(u.IssueDate) {
		return time.Time{}, false
	}
	digit := int(u.IssueDate[0] - '0')
	day := atoi3(u.IssueDate[1:])
	if day < 1 || day > 366 {
		return time.Time{}, false
	}
	ref = ref.UTC()
	for y := ref.Year(); y > ref.Year()-10; y-- {
		if (y%10+10)%10 != digit {
			continue
		}
		for _, yy := range []int{y, y - 10} {
			d := time.Date(yy, 1, day, 0, 0, 0, 0, time.UTC)
			if d.Year() == yy && !d.After(ref) {
				return d, true
			}
		}
		return time.Time{}, false
	}
	return time.Time{}, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi3 converts exactly three checked digits.
func atoi3(s string) int {
	return int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')
}
