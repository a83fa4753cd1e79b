package boardingpass

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// threeLegs is built from typed values; its expected encoding is assembled item by item from
// the Resolution 792 widths so the test does not restate Encode's own logic.
func threeLegs() *Pass {
	return &Pass{
		Name: "DOE/JANE", ETicket: 'E', Version: 8,
		Unique: &UniqueConditional{PassengerDescription: '2', CheckInSource: 'W', IssuanceSource: 'M',
			IssueDate: "6330", DocumentType: 'B', Issuer: "IG"},
		Legs: []Leg{
			{PNR: "ABC123", From: "LHR", To: "JFK", Carrier: "IG", Flight: "0101", JulianDate: 335,
				Compartment: 'Y', Seat: "012A", Sequence: "0042", Status: '1',
				Cond:       &LegConditional{AirlineNumeric: "999", SerialNumber: "1234567890", FastTrack: 'N'},
				AirlineUse: "XYZ"},
			{PNR: "ABC123", From: "JFK", To: "SFO", Carrier: "IG", Flight: "0007A", JulianDate: 336,
				Compartment: 'J', Seat: "002C", Sequence: "0003", Status: '1'},
			{PNR: "ABC123", From: "SFO", To: "HNL", Carrier: "XX", Flight: "1", JulianDate: 1,
				Compartment: 'Y', Seat: "INF", Sequence: "", Status: '1', Cond: &LegConditional{}},
		},
	}
}

func TestEncodeMultiLeg(t *testing.T) {
	unique := "2WM6330BIG "                                                                      // 11 chars
	rep1 := "9991234567890" + "  " + "   " + "   " + strings.Repeat(" ", 16) + " " + "   " + "N" // 42
	leg1Sec := ">8" + "0B" + unique + "2A" + rep1 + "XYZ"
	want := "M3DOE/JANE            E" +
		"ABC123 LHRJFKIG 0101 335Y012A0042 1" + hex(len(leg1Sec)) + leg1Sec +
		"ABC123 JFKSFOIG 0007A336J002C0003 1" + "00" +
		"ABC123 SFOHNLXX 1    001YINF      1" + "02" + "00"
	got, err := threeLegs().Encode()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("Encode:\n got %q\nwant %q", got, want)
	}
	p := mustParse(t, got)
	if len(p.Legs) != 3 || p.Legs[1].Flight != "0007A" || p.Legs[2].Seat != "INF" || p.Legs[0].AirlineUse != "XYZ" {
		t.Errorf("parsed back: %+v", p.Legs)
	}
	again, err := p.Encode()
	if err != nil || again != got {
		t.Errorf("re-encode = %q, %v", again, err)
	}
}

func hex(n int) string { return string([]byte{hexDigits[n>>4], hexDigits[n&0xF]}) }

// TestEncodePresence checks that blank-but-present items and empty sections survive.
func TestEncodePresence(t *testing.T) {
	base := "M1DOE/JANE            EABC123 LHRJFKIG 0101 335Y012A0042 1"
	for _, s := range []string{
		base + "00",
		base + "02>6",
		base + "04>600",
		base + "06>60000",
		base + "07>600001",                    // airline use after empty sections
		base + "0B>6" + "05" + "     " + "00", // five blank unique items
		base + "08>6" + "04" + "1WW6",         // partial date of issue kept verbatim
		base + "40>6" + "3A" + strings.Repeat(" ", 50) + "NEWV9XYZ" + "00", // a later version's extra items
	} {
		p := mustParse(t, s)
		got, err := p.Encode()
		if err != nil || got != s {
			t.Errorf("round trip %q = %q, %v", s, got, err)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *Pass)
		code Code
	}{
		{"no legs", func(p *Pass) { p.Legs = nil }, CodeBadLegCount},
		{"five legs", func(p *Pass) { p.Legs = append(p.Legs, p.Legs[0], p.Legs[0]) }, CodeBadLegCount},
		{"name too long", func(p *Pass) { p.Name = "SOMEONEWITHAVERYLONGNAME/X" }, CodeBadField},
		{"PNR too long", func(p *Pass) { p.Legs[0].PNR = "ABCDEFGH" }, CodeBadField},
		{"flight too long", func(p *Pass) { p.Legs[1].Flight = "12345A" }, CodeBadField},
		{"non-ASCII name", func(p *Pass) { p.Name = "MÜLLER/J" }, CodeBadChar},
		{"'^' in the name", func(p *Pass) { p.Name = "SMITH^/JOHN" }, CodeBadChar},
		{"'^' in airline use", func(p *Pass) { p.Legs[1].AirlineUse = "A^B" }, CodeBadChar},
		{"control char in seat", func(p *Pass) { p.Legs[0].Seat = "1\tA" }, CodeBadChar},
		{"non-printable compartment", func(p *Pass) { p.Legs[0].Compartment = 0x7F }, CodeBadChar},
		{"julian 0", func(p *Pass) { p.Legs[2].JulianDate = 0 }, CodeBadJulianDate},
		{"julian 367", func(p *Pass) { p.Legs[2].JulianDate = 367 }, CodeBadJulianDate},
		{"version 10", func(p *Pass) { p.Version = 10 }, CodeBadVersion},
		{"conditional data without version", func(p *Pass) { p.Version = 0 }, CodeBadVersion},
		{"unique Fields out of range", func(p *Pass) { p.Unique.Fields = 10 }, CodeBadField},
		{"extra with later items", func(p *Pass) { p.Unique.Fields = 2; p.Unique.Extra = "Q" }, CodeBadField},
		{"leg section over 255", func(p *Pass) { p.Legs[0].AirlineUse = strings.Repeat("A", 200) }, CodeSizeOverflow},
		{"security data over 255", func(p *Pass) { p.Security = &Security{Type: '1', Data: strings.Repeat("A", 256)} }, CodeBadSecurity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := threeLegs()
			tc.edit(p)
			s, err := p.Encode()
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("Encode = %q, %v; want code %s", s, err, tc.code)
			}
		})
	}
}

// TestParseEncodeParse checks that parsed values survive a full cycle for every vector.
func TestParseEncodeParse(t *testing.T) {
	for _, v := range allVectors {
		p := mustParse(t, v)
		s, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if q := mustParse(t, s); !reflect.DeepEqual(p, q) {
			t.Errorf("%q: values changed:\n%+v\n%+v", v, p, q)
		}
	}
}
