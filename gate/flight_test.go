package gate

import (
	"errors"
	"testing"
	"time"

	"github.com/idgate/idgate/boardingpass"
)

func TestNewFlight(t *testing.T) {
	for _, c := range []struct {
		carrier, number, date string
		want                  Flight
		ok                    bool
	}{
		{"ig", "101", "2026-11-27", Flight{"IG", "0101", "2026-11-27"}, true},
		{"U2", "7A", "2026-02-28", Flight{"U2", "0007A", "2026-02-28"}, true},
		{"IGX", "101", "2026-11-27", Flight{}, false},
		{"I", "101", "2026-11-27", Flight{}, false},
		{"IG", "", "2026-11-27", Flight{}, false},
		{"IG", "12345", "2026-11-27", Flight{}, false},
		{"IG", "101", "2026-02-30", Flight{}, false},
		{"IG", "101", "27.11.2026", Flight{}, false},
	} {
		got, err := NewFlight(c.carrier, c.number, c.date)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("NewFlight(%q, %q, %q) = %+v, %v", c.carrier, c.number, c.date, got, err)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("error %v is not ErrInvalid", err)
		}
	}
	if f, err := ParseFlightPath("IG0101", "2026-11-27"); err != nil || f.Key() != "IG0101/2026-11-27" {
		t.Errorf("ParseFlightPath = %+v, %v", f, err)
	}
}

func TestMatchLeg(t *testing.T) {
	f := Flight{"IG", "0101", "2026-11-27"}
	day, _ := time.Parse(time.DateOnly, f.Date)
	mk := func(carrier, flight string, julian int) boardingpass.Leg {
		return boardingpass.Leg{Carrier: carrier, Flight: flight, JulianDate: julian, PNR: "ABC123", From: "FRA", Sequence: "0001"}
	}
	leg := func(carrier, flight string, julian int) *boardingpass.Pass {
		return &boardingpass.Pass{Legs: []boardingpass.Leg{mk(carrier, flight, julian)}}
	}
	for _, c := range []struct {
		name string
		p    *boardingpass.Pass
		want bool
	}{
		{"same", leg("IG", "0101", day.YearDay()), true},
		{"unpadded number", leg("IG", "101", day.YearDay()), true},
		{"number in five digits", leg("IG", "00101", day.YearDay()), true},
		{"carrier in lower case", leg("ig", "0101", day.YearDay()), true},
		{"carrier right-justified", leg(" IG", "0101", day.YearDay()), true},
		{"other carrier", leg("XX", "0101", day.YearDay()), false},
		{"other number", leg("IG", "0102", day.YearDay()), false},
		{"suffix differs", leg("IG", "0101A", day.YearDay()), false},
		{"day before", leg("IG", "0101", day.YearDay()-1), false},
		{"second leg", &boardingpass.Pass{Legs: []boardingpass.Leg{mk("IG", "0007", 1), mk("IG", "0101", day.YearDay())}}, true},
		{"number of six digits", leg("IG", "000101", day.YearDay()), false},
	} {
		if _, got, err := f.booking(c.p); got != c.want || err != nil {
			t.Errorf("%s: %v %v", c.name, got, err)
		}
	}
	// An operational suffix names another flight, in either case.
	suffixed := Flight{"IG", "0101A", f.Date}
	for _, c := range []struct {
		flight string
		want   bool
	}{{"0101A", true}, {"101a", true}, {"0101", false}, {"0101B", false}} {
		if _, got, err := suffixed.booking(leg("IG", c.flight, day.YearDay())); got != c.want || err != nil {
			t.Errorf("IG0101A, leg %s: %v %v", c.flight, got, err)
		}
	}
	// A leg of this flight whose booking has no canonical form makes the pass malformed.
	bad := leg("IG", "0101", day.YearDay())
	bad.Legs[0].PNR = "AB C"
	if _, _, err := f.booking(bad); err == nil {
		t.Error("a booking without canonical form was accepted")
	}
}

// TestDeparture: a late westbound flight (local date D, 23:30 at UTC-12 is D+35:30 UTC) must
// not be purged by the default departure, and supplied departures stay near the flight date.
func TestDeparture(t *testing.T) {
	f := Flight{"IG", "0101", "2026-11-27"}
	day := f.day()
	lateWestbound := day.Add(35*time.Hour + 30*time.Minute)
	if def := f.DefaultDeparture(); !def.After(lateWestbound) || def != day.Add(40*time.Hour) {
		t.Errorf("DefaultDeparture = %v, want flight date + 40 h (after %v)", def, lateWestbound)
	}
	for _, c := range []struct {
		name string
		t    time.Time
		ok   bool
	}{
		{"morning", day.Add(8 * time.Hour), true},
		{"UTC+14 early", day.Add(-14 * time.Hour), true},
		{"late westbound", lateWestbound, true},
		{"default", f.DefaultDeparture(), true},
		{"a day late", day.Add(48 * time.Hour), true},
		{"too late", day.Add(48*time.Hour + time.Second), false},
		{"too early", day.Add(-24*time.Hour - time.Second), false},
		{"year 9999", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"zero", time.Time{}, false},
	} {
		if err := f.checkDeparture(c.t); (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: checkDeparture(%v) = %v", c.name, c.t, err)
		}
	}
}
