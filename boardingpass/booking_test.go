package boardingpass

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// respell returns vecIATA1's unsigned part with the field at [i, i+len(v)) replaced by v:
// the same pass as another check-in channel might write it.
func respell(i int, v string) string {
	s := unsignedOf(vecIATA1)
	return s[:i] + v + s[i+len(v):]
}

// Field offsets in a one-leg pass (after the 23 unique mandatory characters).
const (
	offPNR      = 23
	offFrom     = 30
	offCarrier  = 36
	offFlight   = 39
	offSequence = 52
)

// bookingVariants are vecIATA1 (ABC123, YUL, AC 0834, day 326, sequence 0025) written
// otherwise but for the same booking; they also seed FuzzBooking and FuzzParse.
var bookingVariants = []string{
	respell(offPNR, "abc123 "),
	respell(offPNR, " ABC123"),
	respell(offPNR, "AbC123 "),
	respell(offFrom, "yul"),
	respell(offFrom, "Yul"),
	respell(offCarrier, "ac "),
	respell(offCarrier, " AC"),
	respell(offFlight, "834  "),
	respell(offFlight, "  834"),
	respell(offFlight, "00834"),
	respell(offSequence, "25   "),
	respell(offSequence, "   25"),
	respell(offSequence, "00025"),
	respell(offSequence, " 025 "),
	respell(offPNR, " abc123yulFRAac 834  326J001A25   "),
}

func TestBooking(t *testing.T) {
	want := Booking{Carrier: "AC", Flight: "0834", JulianDate: 326, PNR: "ABC123", From: "YUL", Sequence: "0025"}
	booking := func(t *testing.T, s string) (Booking, error) {
		t.Helper()
		p, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		return p.Legs[0].Booking()
	}
	if b, err := booking(t, unsignedOf(vecIATA1)); err != nil || b != want {
		t.Fatalf("Attachment B example 1: %+v, %v; want %+v", b, err, want)
	}
	for _, s := range bookingVariants {
		if b, err := booking(t, s); err != nil || b != want {
			t.Errorf("%q: %+v, %v; want %+v", s, b, err, want)
		}
	}

	for _, c := range []struct {
		name string
		s    string
		want Booking // the fields that differ from want
	}{
		{"suffix letter", respell(offSequence, "0025A"), Booking{Sequence: "0025A"}},
		{"suffix letter in lower case, unpadded", respell(offSequence, "25a  "), Booking{Sequence: "0025A"}},
		{"five-digit sequence", respell(offSequence, "10025"), Booking{Sequence: "10025"}},
		{"blank sequence", respell(offSequence, "     "), Booking{Sequence: "-"}},
		{"sequence zero", respell(offSequence, "0    "), Booking{Sequence: "0000"}},
		{"flight suffix", respell(offFlight, "834d "), Booking{Flight: "0834D"}},
		{"another PNR", respell(offPNR, "ABC124 "), Booking{PNR: "ABC124"}},
		{"seven-character PNR", respell(offPNR, "ABC1234"), Booking{PNR: "ABC1234"}},
		{"three-letter carrier", respell(offCarrier, "ACA"), Booking{Carrier: "ACA"}},
		{"carrier with a digit", respell(offCarrier, "U2 "), Booking{Carrier: "U2"}},
	} {
		w := want
		for _, f := range []struct{ dst, src *string }{{&w.Sequence, &c.want.Sequence}, {&w.Flight, &c.want.Flight},
			{&w.PNR, &c.want.PNR}, {&w.Carrier, &c.want.Carrier}} {
			if *f.src != "" {
				*f.dst = *f.src
			}
		}
		if w.Sequence == "-" {
			w.Sequence = ""
		}
		if b, err := booking(t, c.s); err != nil || b != w {
			t.Errorf("%s: %+v, %v; want %+v", c.name, b, err, w)
		}
	}

	for _, c := range []struct {
		name, s, field string
	}{
		{"space inside the PNR", respell(offPNR, "ABC 123"), "operating carrier PNR code"},
		{"punctuation in the PNR", respell(offPNR, "ABC-123"), "operating carrier PNR code"},
		{"blank PNR", respell(offPNR, "       "), "operating carrier PNR code"},
		{"digit in the origin", respell(offFrom, "YU1"), "from city airport code"},
		{"two-letter origin", respell(offFrom, "YU "), "from city airport code"},
		{"one-character carrier", respell(offCarrier, "A  "), "operating carrier designator"},
		{"blank flight", respell(offFlight, "     "), "flight number"},
		{"flight with two letters", respell(offFlight, "834AB"), "flight number"},
		{"space inside the flight", respell(offFlight, "8 34 "), "flight number"},
		{"space inside the sequence", respell(offSequence, "0 025"), "check-in sequence number"},
		{"letter first", respell(offSequence, "A0025"), "check-in sequence number"},
		{"punctuation in the sequence", respell(offSequence, "0025-"), "check-in sequence number"},
	} {
		_, err := booking(t, c.s)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeBadField || e.Field != c.field {
			t.Errorf("%s: %v, want %s (%s)", c.name, err, CodeBadField, c.field)
		}
	}
}

// TestBookingAllocs: a pass written as Resolution 792 prescribes canonicalises without
// allocating (the gate computes a booking per boarding).
func TestBookingAllocs(t *testing.T) {
	p, err := Parse(unsignedOf(vecIATA1))
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = p.Legs[0].Booking() }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func ExampleLeg_Booking() {
	// Resolution 792 Attachment B example 1, and the same booking as another channel wrote
	// it: PNR and origin in lower case, flight and check-in sequence without leading zeros.
	for _, s := range []string{
		"M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100",
		"M1DESMARAIS/LUC       Eabc123 yulFRAAC 834  326J001A25   100",
	} {
		p, err := Parse(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		b, err := p.Legs[0].Booking()
		fmt.Printf("%+v %v\n", b, err)
	}
	// Output:
	// {Carrier:AC Flight:0834 JulianDate:326 PNR:ABC123 From:YUL Sequence:0025} <nil>
	// {Carrier:AC Flight:0834 JulianDate:326 PNR:ABC123 From:YUL Sequence:0025} <nil>
}

// respellings returns spellings of leg l's booking fields that must canonicalise like l's:
// lower case, right-justified, and numbers without leading zeros or with one more.
func respellings(l Leg) []Leg {
	unpad := func(s string) string {
		t := strings.TrimLeft(strings.TrimSpace(s), "0")
		if t == "" || t[0] < '0' || t[0] > '9' { // keep one digit before a suffix letter
			return "0" + t
		}
		return t
	}
	variants := []func(*Leg){
		func(v *Leg) {
			v.PNR, v.From, v.Carrier = strings.ToLower(v.PNR), strings.ToLower(v.From), strings.ToLower(v.Carrier)
			v.Flight, v.Sequence = strings.ToLower(v.Flight), strings.ToLower(v.Sequence)
		},
		func(v *Leg) { v.PNR, v.From, v.Carrier = " "+v.PNR+" ", " "+v.From, " "+v.Carrier },
		func(v *Leg) { v.Flight = unpad(v.Flight) },
		func(v *Leg) {
			if strings.TrimSpace(v.Sequence) != "" {
				v.Sequence = unpad(v.Sequence)
			}
		},
		func(v *Leg) {
			if s := strings.TrimSpace(v.Sequence); len(s) == 4 && s[3] >= '0' && s[3] <= '9' {
				v.Sequence = "0" + s
			}
		},
	}
	out := make([]Leg, len(variants))
	for i, f := range variants {
		out[i] = l
		f(&out[i])
	}
	return out
}

// FuzzBooking: Booking never panics and returns a booking or an *Error; a booking is
// canonical (a leg holding its values has the same booking), and respelling the leg (case,
// padding, leading zeros) does not change it. Seeded with the published vectors and the
// respellings of Attachment B example 1.
func FuzzBooking(f *testing.F) {
	for _, v := range allVectors {
		f.Add(v)
	}
	for _, v := range bookingVariants {
		f.Add(v)
	}
	f.Add(respell(offSequence, "25a  "))
	f.Add(respell(offSequence, "A0025"))
	f.Add(respell(offPNR, "ABC 123"))
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		for i := range p.Legs {
			l := p.Legs[i]
			b, err := l.Booking()
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("untyped error %v", err)
				}
				continue
			}
			c := l
			c.Carrier, c.Flight, c.PNR, c.From, c.Sequence = b.Carrier, b.Flight, b.PNR, b.From, b.Sequence
			if again, err := c.Booking(); err != nil || again != b {
				t.Fatalf("leg %d: booking %+v is not canonical: %+v, %v", i, b, again, err)
			}
			for _, v := range respellings(l) {
				if got, err := v.Booking(); err != nil || got != b {
					t.Fatalf("leg %d respelled %+v: %+v, %v; want %+v", i, v, got, err, b)
				}
			}
		}
	})
}
