package gate_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/idgate/idgate/boardingpass"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// legEdit changes leg 0 of a pass (the World's pass has one leg, FRA-LHR IG0101).
func legEdit(f func(l *boardingpass.Leg)) func(*boardingpass.Pass) {
	return func(p *boardingpass.Pass) { f(&p.Legs[0]) }
}

// throughFlight makes the pass a two-leg pass on one flight number (FRA-LHR-JFK, both legs
// IG0101 that day), legs in the given order.
func throughFlight(reversed bool) func(*boardingpass.Pass) {
	return func(p *boardingpass.Pass) {
		first := p.Legs[0]
		second := first
		second.From, second.To, second.Seat = "LHR", "JFK", "033C"
		p.Legs = []boardingpass.Leg{first, second}
		if reversed {
			p.Legs[0], p.Legs[1] = second, first
		}
	}
}

// TestReprintBoardsOnce: a booking boards once however its pass is written. Each case boards
// a pass written as Resolution 792 prescribes (PNR "P00nnn", origin FRA, flight 0101,
// check-in sequence "0nnn" zero-padded), then presents a reprint of the same booking signed
// by the real airline key but written differently: every such reprint is already_boarded.
// Values that no canonical form fits are refused as malformed, even on a first boarding; and
// two bookings that differ (another suffix letter) are still two.
func TestReprintBoardsOnce(t *testing.T) {
	pw := newPassWorld(t, nil)
	seqOf := func(i int) int { return 300 + i }
	for i, c := range []struct {
		name    string
		base    func(*boardingpass.Pass) // the first pass; nil: as the World writes it
		reprint func(seq int) func(*boardingpass.Pass)
	}{
		{name: "check-in sequence without leading zero", reprint: func(seq int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) { l.Sequence = itoa(seq) }) // "3nn  "
		}},
		{name: "check-in sequence right-justified", reprint: func(seq int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) { l.Sequence = "  " + itoa(seq) })
		}},
		{name: "check-in sequence in five digits", reprint: func(seq int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) { l.Sequence = "00" + itoa(seq) })
		}},
		{name: "suffix letter in lower case",
			base: legEdit(func(l *boardingpass.Leg) { l.Sequence += "A" }),
			reprint: func(seq int) func(*boardingpass.Pass) {
				return legEdit(func(l *boardingpass.Leg) { l.Sequence = itoa(seq) + "a" })
			}},
		{name: "PNR in lower case", reprint: func(int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) { l.PNR = lower(l.PNR) })
		}},
		{name: "PNR right-justified", reprint: func(int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) { l.PNR = " " + l.PNR })
		}},
		{name: "origin in lower case", reprint: func(int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) { l.From = "fra" })
		}},
		{name: "origin in mixed case", reprint: func(int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) { l.From = "Fra" })
		}},
		{name: "flight number without leading zero", reprint: func(int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) { l.Flight = "101" })
		}},
		{name: "flight number in five digits", reprint: func(int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) { l.Flight = "00101" })
		}},
		{name: "carrier in lower case", reprint: func(int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) { l.Carrier = "ig" })
		}},
		{name: "everything at once", reprint: func(seq int) func(*boardingpass.Pass) {
			return legEdit(func(l *boardingpass.Leg) {
				l.Sequence, l.PNR, l.From, l.Flight, l.Carrier = itoa(seq), " "+lower(l.PNR), "fRa", "101", "Ig"
			})
		}},
		{name: "through flight, legs in the other order", base: throughFlight(false),
			reprint: func(int) func(*boardingpass.Pass) { return throughFlight(true) }},
		{name: "through flight, reprinted for the first leg only", base: throughFlight(false),
			reprint: func(int) func(*boardingpass.Pass) { return nil }},
	} {
		t.Run(c.name, func(t *testing.T) {
			seq := seqOf(i)
			if d := pw.verify(t, gatetest.PassOpts{Sequence: seq, Edit: c.base}); !d.Allowed() {
				t.Fatalf("first boarding: %+v", d)
			}
			d := pw.verify(t, gatetest.PassOpts{Sequence: seq, Edit: c.reprint(seq)})
			if d.Allowed() || !slices.Equal(d.Reasons, []gate.Reason{gate.ReasonAlreadyBoarded}) {
				t.Fatalf("reprint: want already_boarded only, got %+v", d)
			}
		})
	}

	// No canonical form: refused as malformed, on a first boarding too.
	for i, c := range []struct {
		name string
		edit func(l *boardingpass.Leg)
	}{
		{"space inside the PNR", func(l *boardingpass.Leg) { l.PNR = "P0 0400" }},
		{"punctuation in the PNR", func(l *boardingpass.Leg) { l.PNR = "P0-0401" }},
		{"blank PNR", func(l *boardingpass.Leg) { l.PNR = "" }},
		{"origin of digits", func(l *boardingpass.Leg) { l.From = "F1A" }},
		{"origin of two letters", func(l *boardingpass.Leg) { l.From = "FR" }},
		{"space inside the check-in sequence", func(l *boardingpass.Leg) { l.Sequence = "3 48" }},
		{"two suffix letters", func(l *boardingpass.Leg) { l.Sequence = "348AB" }},
		{"letter before the digits", func(l *boardingpass.Leg) { l.Sequence = "A348" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := pw.verify(t, gatetest.PassOpts{Sequence: 400 + i, Edit: legEdit(c.edit)})
			if d.Allowed() || !slices.Contains(d.Reasons, gate.ReasonPassMalformed) {
				t.Fatalf("want pass_malformed: %+v", d)
			}
		})
	}

	// Different bookings stay different: a suffix letter names another passenger.
	t.Run("another suffix letter boards", func(t *testing.T) {
		if d := pw.verify(t, gatetest.PassOpts{Sequence: 500}); !d.Allowed() {
			t.Fatalf("first: %+v", d)
		}
		if d := pw.verify(t, gatetest.PassOpts{Sequence: 500, Edit: legEdit(func(l *boardingpass.Leg) { l.Sequence += "B" })}); !d.Allowed() {
			t.Fatalf("0500B after 0500: %+v", d)
		}
	})
}

// TestReprintAfterWalkThrough: an enrolment and a 1:1 boarding share the booking key, so a
// passenger who walked through cannot board again with a pass written differently, and one
// whose differently written pass was enrolled cannot walk through after a 1:1 boarding.
func TestReprintAfterWalkThrough(t *testing.T) {
	ctx := context.Background()
	pw := newPassWorld(t, nil)
	w := pw.w
	enrol := func(p *gatetest.Passenger, o gatetest.PassOpts) {
		t.Helper()
		n, err := pw.svc.CheckinNonce(ctx, w.Flight)
		if err != nil {
			t.Fatal(err)
		}
		if d := pw.svc.Enrol(ctx, w.Flight, &gate.EnrolRequest{Presentation: p.Present(t, n), BCBP: w.Pass(t, "SMITH/JOHN", o)}); !d.Allowed() {
			t.Fatalf("enrol: %+v", d)
		}
	}
	identify := func(p *gatetest.Passenger) *gate.Decision {
		return pw.svc.Identify(ctx, "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: w.LiveTemplate(t, p)}})
	}
	sloppy := func(seq int) func(*boardingpass.Pass) {
		return legEdit(func(l *boardingpass.Leg) { l.Sequence, l.PNR, l.From = itoa(seq), lower(l.PNR), "fra" })
	}

	walker := w.Passenger(t, "Smith", "John")
	enrol(walker, gatetest.PassOpts{Sequence: 601})
	if d := identify(walker); !d.Allowed() {
		t.Fatalf("walk-through: %+v", d)
	}
	if d := pw.verify(t, gatetest.PassOpts{Sequence: 601, Edit: sloppy(601)}); !slices.Equal(d.Reasons, []gate.Reason{gate.ReasonAlreadyBoarded}) {
		t.Fatalf("1:1 with a reprint after walking through: %+v", d)
	}

	enrolled := w.Passenger(t, "Smith", "John")
	enrol(enrolled, gatetest.PassOpts{Sequence: 602, Edit: sloppy(602)})
	if d := pw.verify(t, gatetest.PassOpts{Sequence: 602}); !d.Allowed() {
		t.Fatalf("1:1: %+v", d)
	}
	if d := identify(enrolled); !slices.Equal(d.Reasons, []gate.Reason{gate.ReasonAlreadyBoarded}) {
		t.Fatalf("walk-through after 1:1 with the pass written differently: %+v", d)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func lower(s string) string { return strings.ToLower(s) }
