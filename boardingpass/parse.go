package boardingpass

import "strings"

// Parse decodes an M-format BCBP string. It checks structure exactly (format code, leg count,
// every size field against the data that follows, Julian dates, printable ASCII, '^' only
// as the start of the security section, nothing after the last section) and keeps unknown conditional data verbatim, so that
// Encode(Parse(s)) == s for every string Parse accepts. It does not check the security
// section's contents; Verify does.
func Parse(s string) (*Pass, error) {
	if len(s) > MaxLen {
		return nil, errAt(CodeTooLong, "", MaxLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return nil, errAt(CodeBadChar, "", i)
		}
	}
	if len(s) < uniqueLen+legLen {
		return nil, errAt(CodeTooShort, "", len(s))
	}
	if s[0] != 'M' {
		return nil, errAt(CodeBadFormatCode, "format code", 0)
	}
	n := int(s[1] - '0')
	if n < 1 || n > maxLegs {
		return nil, errAt(CodeBadLegCount, "number of legs encoded", 1)
	}
	// One allocation holds the pass and everything it points to (the gate parses one pass
	// per passenger; this is 1 allocation instead of up to 11).
	a := new(passAlloc)
	p := &a.pass
	p.Name, p.ETicket, p.Legs = s[2:22], s[22], a.legs[:n:n]
	p.Unique, p.Security = &a.unique, &a.security // cleared below when absent
	for i := range p.Legs {
		p.Legs[i].Cond = &a.conds[i]
	}
	pos := uniqueLen
	var hasUnique bool
	for i := range p.Legs {
		next, hasCond, err := parseLeg(s, pos, i, p, &hasUnique)
		if err != nil {
			return nil, err
		}
		if !hasCond {
			p.Legs[i].Cond = nil
		}
		pos = next
	}
	if !hasUnique {
		p.Unique = nil
	}
	// '^' opens the security section and nothing else: one inside a field would make "the
	// signed part" ambiguous to anyone who finds it by searching for '^' (pass identifiers).
	if i := strings.IndexByte(s[:pos], '^'); i >= 0 {
		return nil, errAt(CodeBadChar, "'^' outside the security section", i)
	}
	if pos == len(s) {
		p.Security = nil
		return p, nil
	}
	if s[pos] != '^' {
		return nil, errAt(CodeTrailingData, "", pos)
	}
	if len(s)-pos < 4 {
		return nil, errAt(CodeBadSecurity, "security section header", pos)
	}
	size, ok := hex2(s[pos+2:])
	if !ok {
		return nil, errAt(CodeBadHex, "length of security data", pos+2)
	}
	start := pos + 4
	switch {
	case start+size > len(s):
		return nil, errAt(CodeSizeOverflow, "security data", start)
	case start+size < len(s):
		return nil, errAt(CodeTrailingData, "", start+size)
	}
	*p.Security = Security{Type: s[pos+1], Data: s[start:]}
	return p, nil
}

// passAlloc is the single allocation behind a parsed Pass.
type passAlloc struct {
	pass     Pass
	legs     [maxLegs]Leg
	conds    [maxLegs]LegConditional
	unique   UniqueConditional
	security Security
}

// parseLeg reads leg i starting at pos into p.Legs[i] (whose Cond, like p.Unique, points at
// preallocated storage) and returns the position after its conditional section and whether
// the repeated conditional items were present; *hasUnique reports the unique items.
func parseLeg(s string, pos, i int, p *Pass, hasUnique *bool) (next int, hasCond bool, err error) {
	if len(s) < pos+legLen {
		return 0, false, errAt(CodeTooShort, "repeated mandatory items", len(s))
	}
	l := &p.Legs[i]
	f := s[pos : pos+legLen]
	l.PNR = trim(f[0:7])
	l.From = trim(f[7:10])
	l.To = trim(f[10:13])
	l.Carrier = trim(f[13:16])
	l.Flight = trim(f[16:21])
	if !allDigits(f[21:24]) {
		return 0, false, errAt(CodeBadJulianDate, "date of flight", pos+21)
	}
	if l.JulianDate = atoi3(f[21:24]); l.JulianDate < 1 || l.JulianDate > 366 {
		return 0, false, errAt(CodeBadJulianDate, "date of flight", pos+21)
	}
	l.Compartment = f[24]
	l.Seat = trim(f[25:29])
	l.Sequence = trim(f[29:34])
	l.Status = f[34]
	size, ok := hex2(f[35:37])
	if !ok {
		return 0, false, errAt(CodeBadHex, "field size of variable size field", pos+35)
	}
	start := pos + legLen
	end := start + size
	if end > len(s) {
		return 0, false, errAt(CodeSizeOverflow, "variable size field", start)
	}
	if size == 0 {
		return end, false, nil
	}
	cur := start
	if i == 0 {
		// Leg 1's section opens with '>' and the version number, then the unique items.
		if s[cur] != '>' || end-cur < 2 || s[cur+1] < '1' || s[cur+1] > '9' {
			return 0, false, errAt(CodeBadVersion, "version number", cur)
		}
		p.Version = int(s[cur+1] - '0')
		cur += 2
		if cur < end {
			sub, next, err := sized(s, cur, end, "field size of unique conditional data")
			if err != nil {
				return 0, false, err
			}
			*hasUnique = true
			p.Unique.Fields, p.Unique.Extra = readItems(sub, uniqueItems[:], p.Unique.setItem)
			cur = next
		}
	}
	if cur < end {
		sub, next, err := sized(s, cur, end, "field size of repeated conditional data")
		if err != nil {
			return 0, false, err
		}
		hasCond = true
		l.Cond.Fields, l.Cond.Extra = readItems(sub, legItems[:], l.Cond.setItem)
		cur = next
	}
	l.AirlineUse = s[cur:end]
	return end, hasCond, nil
}

// sized reads a 2-hex size at cur and returns the section it announces, which must end by end.
func sized(s string, cur, end int, field string) (sub string, next int, err error) {
	if end-cur < 2 {
		return "", 0, errAt(CodeSizeOverflow, field, cur)
	}
	n, ok := hex2(s[cur:])
	if !ok {
		return "", 0, errAt(CodeBadHex, field, cur)
	}
	if cur+2+n > end {
		return "", 0, errAt(CodeSizeOverflow, field, cur)
	}
	return s[cur+2 : cur+2+n], cur + 2 + n, nil
}

// readItems stores the complete items that fit in sub and returns how many did, plus the rest.
func readItems(sub string, items []itemSpec, set func(int, string)) (int, string) {
	off := 0
	for i, it := range items {
		if off+it.width > len(sub) {
			return i, sub[off:]
		}
		set(i, sub[off:off+it.width])
		off += it.width
	}
	return len(items), sub[off:]
}

// hex2 decodes two uppercase hexadecimal digits (Resolution 792 writes sizes in upper case).
func hex2(s string) (int, bool) {
	if len(s) < 2 {
		return 0, false
	}
	hi, ok1 := hexDigit(s[0])
	lo, ok2 := hexDigit(s[1])
	return hi<<4 | lo, ok1 && ok2
}

func hexDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}
