package boardingpass

import "strings"

// The conditional sections are sequences of fixed-width items whose presence is decided by
// the enclosing size field, so they are described by width tables and read/written by index.

type itemSpec struct {
	name  string // Resolution 792 element name, for errors
	width int
}

// uniqueItems: passenger description, source of check-in, source of issuance, date of issue,
// document type, issuer designator, baggage tag numbers (three).
var uniqueItems = [...]itemSpec{
	{"passenger description", 1}, {"source of check-in", 1}, {"source of boarding pass issuance", 1},
	{"date of issue of boarding pass", 4}, {"document type", 1}, {"airline designator of boarding pass issuer", 3},
	{"baggage tag licence plate numbers", 13}, {"first non-consecutive baggage tag", 13},
	{"second non-consecutive baggage tag", 13},
}

// legItems: the repeated conditional items in order.
var legItems = [...]itemSpec{
	{"airline numeric code", 3}, {"document form/serial number", 10}, {"selectee indicator", 1},
	{"international documentation verification", 1}, {"marketing carrier designator", 3},
	{"frequent flyer airline designator", 3}, {"frequent flyer number", 16}, {"ID/AD indicator", 1},
	{"free baggage allowance", 3}, {"fast track", 1},
}

func trim(s string) string { return strings.TrimRight(s, " ") }

// setItem stores raw item i of the unique section.
func (u *UniqueConditional) setItem(i int, raw string) {
	switch i {
	case 0:
		u.PassengerDescription = raw[0]
	case 1:
		u.CheckInSource = raw[0]
	case 2:
		u.IssuanceSource = raw[0]
	case 3:
		u.IssueDate = trim(raw)
	case 4:
		u.DocumentType = raw[0]
	case 5:
		u.Issuer = trim(raw)
	default:
		u.BagTags[i-6] = trim(raw)
	}
}

// item returns item i for encoding: a string, or a byte when isByte.
func (u *UniqueConditional) item(i int) (s string, b byte, isByte bool) {
	switch i {
	case 0:
		return "", u.PassengerDescription, true
	case 1:
		return "", u.CheckInSource, true
	case 2:
		return "", u.IssuanceSource, true
	case 3:
		return u.IssueDate, 0, false
	case 4:
		return "", u.DocumentType, true
	case 5:
		return u.Issuer, 0, false
	default:
		return u.BagTags[i-6], 0, false
	}
}

func (c *LegConditional) setItem(i int, raw string) {
	switch i {
	case 0:
		c.AirlineNumeric = trim(raw)
	case 1:
		c.SerialNumber = trim(raw)
	case 2:
		c.Selectee = raw[0]
	case 3:
		c.DocVerification = raw[0]
	case 4:
		c.MarketingCarrier = trim(raw)
	case 5:
		c.FrequentFlyerAirline = trim(raw)
	case 6:
		c.FrequentFlyerNumber = trim(raw)
	case 7:
		c.IDAD = raw[0]
	case 8:
		c.FreeBaggage = trim(raw)
	default:
		c.FastTrack = raw[0]
	}
}

func (c *LegConditional) item(i int) (s string, b byte, isByte bool) {
	switch i {
	case 0:
		return c.AirlineNumeric, 0, false
	case 1:
		return c.SerialNumber, 0, false
	case 2:
		return "", c.Selectee, true
	case 3:
		return "", c.DocVerification, true
	case 4:
		return c.MarketingCarrier, 0, false
	case 5:
		return c.FrequentFlyerAirline, 0, false
	case 6:
		return c.FrequentFlyerNumber, 0, false
	case 7:
		return "", c.IDAD, true
	case 8:
		return c.FreeBaggage, 0, false
	default:
		return "", c.FastTrack, true
	}
}
