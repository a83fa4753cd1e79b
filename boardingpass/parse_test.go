package boardingpass

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustParse(t testing.TB, s string) *Pass {
	t.Helper()
	p, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return p
}

func TestParseSpecVectors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		check   func(t *testing.T, p *Pass)
		version int
		legs    int
	}{
		{"IATA example 1 mandatory + security", vecIATA1, func(t *testing.T, p *Pass) {
			l := p.Legs[0]
			eq(t, "Name", p.Name, "DESMARAIS/LUC       ")
			eq(t, "ETicket", p.ETicket, byte('E'))
			eq(t, "leg", l, Leg{PNR: "ABC123", From: "YUL", To: "FRA", Carrier: "AC", Flight: "0834",
				JulianDate: 326, Compartment: 'J', Seat: "001A", Sequence: "0025", Status: '1'})
			eq(t, "Unique", p.Unique, (*UniqueConditional)(nil))
			eq(t, "Security.Type", p.Security.Type, byte('1'))
			eq(t, "Security.Data", p.Security.Data, "GIWVC5EH7JNT684FVNJ91W2QA4DVN5J8K4F0L0GEQ3DF5TGBN8709HKT5D3DW3GBHFCVHMY7J5T6HFR41W2QA4DVN5J8K4F0L0GE")
		}, 0, 1},
		{"IATA example 2 two legs v6", vecIATA2, func(t *testing.T, p *Pass) {
			eq(t, "Unique", *p.Unique, UniqueConditional{PassengerDescription: '1', CheckInSource: 'W',
				IssuanceSource: 'W', IssueDate: "6225", DocumentType: 'B', Issuer: "AC",
				BagTags: [3]string{"0014123456003"}, Fields: 7})
			eq(t, "leg1.Cond", *p.Legs[0].Cond, LegConditional{AirlineNumeric: "014", SerialNumber: "1234567890",
				Selectee: ' ', DocVerification: '1', MarketingCarrier: "AC", FrequentFlyerAirline: "AC",
				FrequentFlyerNumber: "1234567890123", IDAD: ' ', FreeBaggage: "20K", FastTrack: 'Y', Fields: 10})
			eq(t, "leg1.AirlineUse", p.Legs[0].AirlineUse, "LX58Z")
			l2 := p.Legs[1]
			eq(t, "leg2 mandatory", [...]string{l2.PNR, l2.From, l2.To, l2.Carrier, l2.Flight, l2.Seat, l2.Sequence},
				[...]string{"DEF456", "FRA", "GVA", "LH", "3664", "012C", "0002"})
			eq(t, "leg2.JulianDate", l2.JulianDate, 227)
			eq(t, "leg2.Compartment", l2.Compartment, byte('C'))
			eq(t, "leg2.SerialNumber", l2.Cond.SerialNumber, "0987654321")
			eq(t, "leg2.FreeBaggage", l2.Cond.FreeBaggage, "2PC")
			eq(t, "leg2.FastTrack", l2.Cond.FastTrack, byte('N'))
			eq(t, "leg2.AirlineUse", l2.AirlineUse, "WQ")
		}, 6, 2},
		{"v5 all fields with three bag tags", vecV5AllFields, func(t *testing.T, p *Pass) {
			eq(t, "BagTags", p.Unique.BagTags, [3]string{"0014123456002", "0014123467001", "0014123478901"})
			eq(t, "Fields", p.Unique.Fields, 9)
			eq(t, "Security", *p.Security, Security{Type: '1', Data: "ABCDEFGH"})
		}, 5, 1},
		{"v5 partial: empty unique section", vecV5Partial, func(t *testing.T, p *Pass) {
			eq(t, "Unique", *p.Unique, UniqueConditional{})
			eq(t, "FFN", p.Legs[0].Cond.FrequentFlyerNumber, "1234567890123456")
			eq(t, "FreeBaggage", p.Legs[0].Cond.FreeBaggage, "")
			eq(t, "FastTrack", p.Legs[0].Cond.FastTrack, byte('Y'))
		}, 5, 1},
		{"LH home printed v2 has no fast track", vecLHHome, func(t *testing.T, p *Pass) {
			c := p.Legs[0].Cond
			eq(t, "Fields", c.Fields, 9)
			eq(t, "FastTrack", c.FastTrack, byte(0))
			eq(t, "AirlineNumeric", c.AirlineNumeric, "220")
			eq(t, "SerialNumber", c.SerialNumber, "2364224106")
			eq(t, "AirlineUse", p.Legs[0].AirlineUse, "*30600000K09         ")
			eq(t, "IssuanceSource", p.Unique.IssuanceSource, byte('W'))
		}, 2, 1},
		{"KL home printed: truncated sections", vecKLHome, func(t *testing.T, p *Pass) {
			eq(t, "Unique", *p.Unique, UniqueConditional{PassengerDescription: ' ', CheckInSource: ' ', IssuanceSource: 'W', Fields: 3})
			eq(t, "Cond", *p.Legs[0].Cond, LegConditional{AirlineNumeric: "074", SerialNumber: "2497067621", Fields: 2})
		}, 5, 1},
		{"UA kiosk v3", vecUAKiosk, func(t *testing.T, p *Pass) {
			eq(t, "IssuanceSource", p.Unique.IssuanceSource, byte('K'))
			eq(t, "FFN", p.Legs[0].Cond.FrequentFlyerNumber, "EY975897")
			eq(t, "AirlineUse", p.Legs[0].AirlineUse, "*30600    09  UAG    ")
		}, 3, 1},
		{"AZ v8 all unique fields blank bag tags", vecV8AZ, func(t *testing.T, p *Pass) {
			eq(t, "Fields", p.Unique.Fields, 9)
			eq(t, "BagTags", p.Unique.BagTags, [3]string{})
			eq(t, "FrequentFlyerAirline", p.Legs[0].Cond.FrequentFlyerAirline, "LH")
		}, 8, 1},
		{"Eurowings v1, no e-ticket indicator", vecV1EW, func(t *testing.T, p *Pass) {
			eq(t, "ETicket", p.ETicket, byte(' '))
			eq(t, "IssueDate", p.Unique.IssueDate, "8033")
		}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, tc.in)
			eq(t, "Version", p.Version, tc.version)
			eq(t, "len(Legs)", len(p.Legs), tc.legs)
			tc.check(t, p)
		})
	}
}

func TestRoundTripSpecVectors(t *testing.T) {
	for _, v := range allVectors {
		p := mustParse(t, v)
		got, err := p.Encode()
		if err != nil || got != v {
			t.Errorf("Encode(Parse(s)) = %q, %v\nwant %q", got, err, v)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const ok = "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 1"
	tests := []struct {
		name   string
		in     string
		code   Code
		offset int
	}{
		{"empty", "", CodeTooShort, 0},
		{"mandatory cut", ok[:40], CodeTooShort, 40},
		{"second leg missing", "M2" + ok[2:] + "00", CodeTooShort, 60},
		{"too long", ok + strings.Repeat("x", MaxLen), CodeTooLong, MaxLen},
		{"control char", ok[:10] + "\n" + ok[11:] + "00", CodeBadChar, 10},
		{"non-ASCII", ok[:10] + "\xc3\xa9" + ok[12:] + "00", CodeBadChar, 10},
		{"format code S", "S" + ok[1:] + "00", CodeBadFormatCode, 0},
		{"zero legs", "M0" + ok[2:] + "00", CodeBadLegCount, 1},
		{"five legs", "M5" + ok[2:] + "00", CodeBadLegCount, 1},
		{"leg count letter", "MA" + ok[2:] + "00", CodeBadLegCount, 1},
		{"non-hex size", ok + "0G", CodeBadHex, 58},
		{"lower-case hex size", ok + "0a" + ">5" + "00" + "000000", CodeBadHex, 58},
		{"size past end", ok + "10>5", CodeSizeOverflow, 60},
		{"julian 000", ok[:44] + "000" + ok[47:] + "00", CodeBadJulianDate, 44},
		{"julian 367", ok[:44] + "367" + ok[47:] + "00", CodeBadJulianDate, 44},
		{"julian with space (easyJet style)", ok[:44] + "99 " + ok[47:] + "00", CodeBadJulianDate, 44},
		{"no '>' in leg 1 section", ok + "02" + "X5", CodeBadVersion, 60},
		{"version not a digit", ok + "02" + ">X", CodeBadVersion, 60},
		{"version 0", ok + "02" + ">0", CodeBadVersion, 60},
		{"section holds only '>'", ok + "01" + ">", CodeBadVersion, 60},
		{"unique size past section", ok + "04" + ">5" + "05", CodeSizeOverflow, 62},
		{"unique size non-hex", ok + "04" + ">5" + "Z0", CodeBadHex, 62},
		{"half a size field", ok + "03" + ">5" + "0", CodeSizeOverflow, 62},
		{"repeated size past section", ok + "06" + ">5" + "00" + "09", CodeSizeOverflow, 64},
		{"trailing garbage", ok + "00" + "X", CodeTrailingData, 60},
		{"data after security", ok + "00" + "^102AB" + "C", CodeTrailingData, 66},
		{"security header cut", ok + "00" + "^1", CodeBadSecurity, 60},
		{"security length non-hex", ok + "00" + "^1G2AB", CodeBadHex, 62},
		{"security data short", ok + "00" + "^105AB", CodeSizeOverflow, 64},
		{"'^' in the name", ok[:8] + "^" + ok[9:] + "00", CodeBadChar, 8},
		{"'^' in airline use", ok + "07" + ">5" + "00" + "00" + "^", CodeBadChar, 66},
		{"'^' in name of a signed pass", ok[:8] + "^" + ok[9:] + "00" + "^102AB", CodeBadChar, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse = %+v, %v; want *Error %s", p, err, tc.code)
			}
			if e.Code != tc.code || e.Offset != tc.offset {
				t.Errorf("got %s at %d (%v), want %s at %d", e.Code, e.Offset, err, tc.code, tc.offset)
			}
			if p != nil {
				t.Error("a pass was returned with an error")
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ name, surname, given string }{
		{"DESMARAIS/LUC       ", "DESMARAIS", "LUC"},
		{"BRUNER/ROMAN MR     ", "BRUNER", "ROMAN MR"},
		{"CHER                ", "CHER", ""},
		{"O'NEIL-SMITH/A      ", "O'NEIL-SMITH", "A"},
	}
	for _, tc := range tests {
		p := &Pass{Name: tc.name}
		if p.Surname() != tc.surname || p.GivenName() != tc.given {
			t.Errorf("%q: got %q / %q, want %q / %q", tc.name, p.Surname(), p.GivenName(), tc.surname, tc.given)
		}
	}
}

func TestLegDate(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		julian int
		ref    string
		want   string
	}{
		{335, "2026-11-26", "2026-12-01"}, // Julian date of the CLI example
		{1, "2026-12-30", "2027-01-01"},   // flight early next year
		{365, "2027-01-02", "2026-12-31"}, // pass read just after new year
		{366, "2024-06-01", "2024-12-31"}, // leap year
		{366, "2026-06-01", ""},           // 2025..2027 are common years: no such day
		{60, "2028-02-01", "2028-02-29"},  // leap day
		{326, "2026-11-22", "2026-11-22"},
	}
	for _, tc := range tests {
		got := Leg{JulianDate: tc.julian}.Date(day(tc.ref))
		var want time.Time
		if tc.want != "" {
			want = day(tc.want)
		}
		if !got.Equal(want) {
			t.Errorf("Date(%d, %s) = %v, want %v", tc.julian, tc.ref, got, want)
		}
	}
	if !(Leg{JulianDate: 0}).Date(time.Now()).IsZero() || !(Leg{JulianDate: 367}).Date(time.Now()).IsZero() {
		t.Error("out-of-range Julian date resolved to a date")
	}
}

func TestIssued(t *testing.T) {
	ref := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		issue string
		want  time.Time
		ok    bool
	}{
		{"6225", time.Date(2026, 8, 13, 0, 0, 0, 0, time.UTC), true},
		{"6240", time.Date(2016, 8, 27, 0, 0, 0, 0, time.UTC), true}, // day 240 of 2026 is after ref; 2016 is a leap year
		{"6200", time.Date(2026, 7, 19, 0, 0, 0, 0, time.UTC), true},
		{"5365", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), true},
		{"1325", time.Date(2021, 11, 21, 0, 0, 0, 0, time.UTC), true},
		{"6000", time.Time{}, false},
		{"6 12", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range tests {
		got, ok := (&UniqueConditional{IssueDate: tc.issue}).Issued(ref)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("Issued(%q) = %v, %v; want %v, %v", tc.issue, got, ok, tc.want, tc.ok)
		}
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}
