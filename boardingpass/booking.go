package boardingpass

// Booking is what one leg of a pass books, in canonical form: the values a single-use check
// keys on. Resolution 792 prescribes one way to write each of them (upper case, alphanumeric
// codes left-justified with trailing spaces, numbers zero-padded to four digits), but
// encoders and check-in channels differ (the npm bcbp package, for one, writes a number or a
// lower-case code exactly as it is given), and every airline signs what its channel wrote.
// Two passes of one booking that write it differently are still one booking: Booking is a
// function of the booking, not of its spelling.
//
// Canonical form, field by field: spaces on either side are dropped and letters are upper
// case; a carrier is 2 or 3 letters or digits; a PNR 1..7 letters or digits; an airport code
// 3 letters; a flight or check-in sequence number is its decimal value written with at least
// four digits ("101", "0101" and "00101" are all "0101"), then its suffix letter if it has
// one ("348a" is "0348A"; "0348A" and "0348" are two bookings). A blank check-in sequence
// stays blank. A value with no canonical form (a space or punctuation inside a code, two
// suffix letters, a letter before the digits) is an error, never guessed at.
//
// Parse itself keeps every field as written (Encode(Parse(s)) == s) and does not refuse
// these spellings: refusing them would not make a key built from raw fields safe (any
// spelling the refusal missed would still split a booking), and it would turn away genuine,
// validly signed passes from channels that pad or case differently.
type Booking struct {
	Carrier    string // operating carrier designator, e.g. "IG"
	Flight     string // flight number, e.g. "0101", "0101A"
	JulianDate int    // date of flight, day of year 1..366
	PNR        string // operating carrier PNR code, e.g. "ABC123"
	From       string // from city airport code, e.g. "FRA"
	Sequence   string // check-in sequence number, e.g. "0025", "0025A"; "" when blank
}

// Booking returns the leg's booking in canonical form, or an *Error (CodeBadField, naming
// the field) when a field has none.
func (l *Leg) Booking() (Booking, error) {
	carrier, flight, err := l.flightOf()
	if err != nil {
		return Booking{}, err
	}
	if l.JulianDate < 1 || l.JulianDate > 366 {
		return Booking{}, &Error{Code: CodeBadJulianDate, Field: "date of flight", Offset: -1}
	}
	b := Booking{Carrier: carrier, Flight: flight, JulianDate: l.JulianDate}
	var ok bool
	if b.PNR, ok = canonicalCode(l.PNR, 1, 7, true); !ok {
		return Booking{}, badField("operating carrier PNR code")
	}
	if b.From, ok = canonicalCode(l.From, 3, 3, false); !ok {
		return Booking{}, badField("from city airport code")
	}
	if seq := trimSpaces(l.Sequence); seq != "" {
		if b.Sequence, ok = canonicalNumber(seq); !ok {
			return Booking{}, badField("check-in sequence number")
		}
	}
	return b, nil
}

// CanonicalFlight returns the leg's operating carrier and flight number in Booking's
// canonical form; ok is false when either has none.
func (l *Leg) CanonicalFlight() (carrier, flight string, ok bool) {
	carrier, flight, err := l.flightOf()
	return carrier, flight, err == nil
}

func (l *Leg) flightOf() (carrier, flight string, err error) {
	carrier, ok := canonicalCode(l.Carrier, 2, 3, true)
	if !ok {
		return "", "", badField("operating carrier designator")
	}
	if flight, ok = canonicalNumber(trimSpaces(l.Flight)); !ok {
		return "", "", badField("flight number")
	}
	return carrier, flight, nil
}

func badField(field string) *Error { return &Error{Code: CodeBadField, Field: field, Offset: -1} }

// trimSpaces drops the spaces on both sides (padding on the right is Resolution 792's; on
// the left it is a right-justified value).
func trimSpaces(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] == ' ' {
		i++
	}
	for j > i && s[j-1] == ' ' {
		j--
	}
	return s[i:j]
}

// canonicalCode upper-cases s without its padding and checks it is min..max letters (and
// digits, when digits is set).
func canonicalCode(s string, minLen, maxLen int, digits bool) (string, bool) {
	s = trimSpaces(s)
	if len(s) < minLen || len(s) > maxLen {
		return "", false
	}
	var b [7]byte // maxLen ≤ 7
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z':
		case digits && c >= '0' && c <= '9':
		default:
			return "", false
		}
		b[i] = c
	}
	if string(b[:len(s)]) == s {
		return s, true // already canonical: no allocation
	}
	return string(b[:len(s)]), true
}

// canonicalNumber takes 1..5 digits and an optional letter (an unpadded field holds at most
// five characters) and writes the number with at least four digits, then the letter in upper
// case.
func canonicalNumber(s string) (string, bool) {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 || n > 5 || len(s)-n > 1 {
		return "", false
	}
	var suffix byte
	if n < len(s) {
		switch c := s[n]; {
		case c >= 'A' && c <= 'Z':
			suffix = c
		case c >= 'a' && c <= 'z':
			suffix = c - ('a' - 'A')
		default:
			return "", false
		}
	}
	digits := s[:n]
	for len(digits) > 4 && digits[0] == '0' {
		digits = digits[1:]
	}
	if len(digits) == 4 && (suffix == 0 || s[n] == suffix) && n == 4 {
		return s, true // already canonical: no allocation
	}
	var b [6]byte
	out := b[:0]
	for i := len(digits); i < 4; i++ {
		out = append(out, '0')
	}
	out = append(out, digits...)
	if suffix != 0 {
		out = append(out, suffix)
	}
	return string(out), true
}
