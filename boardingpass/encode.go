package boardingpass

import "bytes"

// Encode renders the pass as an M-format string. It validates every value (width, printable
// ASCII, leg count, Julian date, version, section sizes) and pads shorter values with trailing
// spaces; a value that does not fit is an error, never truncated.
func (p *Pass) Encode() (string, error) {
	b, err := p.appendTo(make([]byte, 0, p.sizeHint()))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// appendUnsigned renders everything before the security section.
func (p *Pass) appendUnsigned(b []byte) ([]byte, error) {
	if len(p.Legs) < 1 || len(p.Legs) > maxLegs {
		return nil, &Error{Code: CodeBadLegCount, Field: "number of legs encoded", Offset: -1}
	}
	if p.Version < 0 || p.Version > 9 {
		return nil, &Error{Code: CodeBadVersion, Field: "version number", Offset: -1}
	}
	start := len(b)
	b = append(b, 'M', byte('0'+len(p.Legs)))
	var err error
	if b, err = pad(b, p.Name, nameLen, "passenger name"); err != nil {
		return nil, err
	}
	if b, err = padByte(b, p.ETicket, "electronic ticket indicator"); err != nil {
		return nil, err
	}
	for i := range p.Legs {
		if b, err = p.appendLeg(b, i); err != nil {
			return nil, err
		}
	}
	if bytes.IndexByte(b[start:], '^') >= 0 { // Parse rejects it: '^' only opens the security section
		return nil, &Error{Code: CodeBadChar, Field: "'^' outside the security section", Offset: -1}
	}
	return b, nil
}

func (p *Pass) appendTo(b []byte) ([]byte, error) {
	b, err := p.appendUnsigned(b)
	if err != nil {
		return nil, err
	}
	if sec := p.Security; sec != nil {
		if len(sec.Data) > 0xFF {
			return nil, &Error{Code: CodeBadSecurity, Field: "security data", Offset: -1}
		}
		b = append(b, '^')
		if b, err = padByte(b, sec.Type, "type of security data"); err != nil {
			return nil, err
		}
		b = appendHex2(b, len(sec.Data))
		if b, err = pad(b, sec.Data, len(sec.Data), "security data"); err != nil {
			return nil, err
		}
	}
	if len(b) > MaxLen {
		return nil, &Error{Code: CodeTooLong, Offset: -1}
	}
	return b, nil
}

func (p *Pass) appendLeg(b []byte, i int) ([]byte, error) {
	l := &p.Legs[i]
	fields := [...]struct {
		v     string
		width int
		name  string
	}{
		{l.PNR, 7, "operating carrier PNR code"}, {l.From, 3, "from city airport code"},
		{l.To, 3, "to city airport code"}, {l.Carrier, 3, "operating carrier designator"},
		{l.Flight, 5, "flight number"},
	}
	var err error
	for _, f := range fields {
		if b, err = pad(b, f.v, f.width, f.name); err != nil {
			return nil, err
		}
	}
	if l.JulianDate < 1 || l.JulianDate > 366 {
		return nil, &Error{Code: CodeBadJulianDate, Field: "date of flight", Offset: -1}
	}
	b = append(b, byte('0'+l.JulianDate/100), byte('0'+l.JulianDate/10%10), byte('0'+l.JulianDate%10))
	if b, err = padByte(b, l.Compartment, "compartment code"); err != nil {
		return nil, err
	}
	if b, err = pad(b, l.Seat, 4, "seat number"); err != nil {
		return nil, err
	}
	if b, err = pad(b, l.Sequence, 5, "check-in sequence number"); err != nil {
		return nil, err
	}
	if b, err = padByte(b, l.Status, "passenger status"); err != nil {
		return nil, err
	}

	// Conditional section: size placeholder, then content, then the size is patched in.
	sizeAt := len(b)
	b = append(b, '0', '0')
	hasCond := l.Cond != nil || l.AirlineUse != ""
	if i == 0 {
		hasUnique := p.Unique != nil || hasCond
		if p.Version == 0 {
			if hasUnique {
				return nil, &Error{Code: CodeBadVersion, Field: "version number", Offset: -1}
			}
		} else {
			b = append(b, '>', byte('0'+p.Version))
			if hasUnique {
				u := p.Unique
				if u == nil {
					u = &UniqueConditional{}
				}
				if b, err = appendItems(b, len(uniqueItems), u.Fields, u.Extra, u.item, uniqueItems[:],
					"field size of unique conditional data"); err != nil {
					return nil, err
				}
			}
		}
	}
	if hasCond {
		c := l.Cond
		if c == nil {
			c = &LegConditional{}
		}
		if b, err = appendItems(b, len(legItems), c.Fields, c.Extra, c.item, legItems[:],
			"field size of repeated conditional data"); err != nil {
			return nil, err
		}
	}
	if b, err = pad(b, l.AirlineUse, len(l.AirlineUse), "for individual airline use"); err != nil {
		return nil, err
	}
	size := len(b) - sizeAt - 2
	if size > 0xFF {
		return nil, &Error{Code: CodeSizeOverflow, Field: "variable size field", Offset: -1}
	}
	putHex2(b[sizeAt:], size)
	return b, nil
}

// appendItems writes a 2-hex size and the items of a conditional section: at least `fields`
// items, and at least up to the last one that is set, then extra verbatim.
func appendItems(b []byte, n, fields int, extra string, item func(int) (string, byte, bool),
	specs []itemSpec, sizeField string) ([]byte, error) {
	if fields < 0 || fields > n {
		return nil, &Error{Code: CodeBadField, Field: sizeField, Offset: -1}
	}
	count := fields
	for i := n - 1; i >= count; i-- {
		if s, c, isByte := item(i); (isByte && c != 0) || (!isByte && s != "") {
			count = i + 1
			break
		}
	}
	if extra != "" && count != fields {
		// Extra belongs right after the items the barcode carried; setting later items
		// as well would put it in the wrong place.
		return nil, &Error{Code: CodeBadField, Field: sizeField, Offset: -1}
	}
	sizeAt := len(b)
	b = append(b, '0', '0')
	var err error
	for i := 0; i < count; i++ {
		s, c, isByte := item(i)
		if isByte {
			b, err = padByte(b, c, specs[i].name)
		} else {
			b, err = pad(b, s, specs[i].width, specs[i].name)
		}
		if err != nil {
			return nil, err
		}
	}
	if b, err = pad(b, extra, len(extra), sizeField); err != nil {
		return nil, err
	}
	size := len(b) - sizeAt - 2
	if size > 0xFF {
		return nil, &Error{Code: CodeSizeOverflow, Field: sizeField, Offset: -1}
	}
	putHex2(b[sizeAt:], size)
	return b, nil
}

// pad appends v left-justified in width characters, space padded.
func pad(b []byte, v string, width int, field string) ([]byte, error) {
	if len(v) > width {
		return nil, &Error{Code: CodeBadField, Field: field, Offset: -1}
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7E {
			return nil, &Error{Code: CodeBadChar, Field: field, Offset: -1}
		}
	}
	b = append(b, v...)
	for i := len(v); i < width; i++ {
		b = append(b, ' ')
	}
	return b, nil
}

// padByte appends a one-character item; 0 means blank.
func padByte(b []byte, c byte, field string) ([]byte, error) {
	if c == 0 {
		return append(b, ' '), nil
	}
	if c < 0x20 || c > 0x7E {
		return nil, &Error{Code: CodeBadChar, Field: field, Offset: -1}
	}
	return append(b, c), nil
}

const hexDigits = "0123456789ABCDEF"

func appendHex2(b []byte, n int) []byte { return append(b, hexDigits[n>>4], hexDigits[n&0xF]) }

func putHex2(b []byte, n int) { b[0], b[1] = hexDigits[n>>4], hexDigits[n&0xF] }

// sizeHint estimates the encoded length so that Encode allocates once in the common case.
func (p *Pass) sizeHint() int {
	n := uniqueLen + 4
	for i := range p.Legs {
		n += legLen + 4 + 2*len(legItems)*2 + len(p.Legs[i].AirlineUse)
	}
	if p.Unique != nil {
		n += 56
	}
	if p.Security != nil {
		n += 4 + len(p.Security.Data)
	}
	return min(n, MaxLen)
}
