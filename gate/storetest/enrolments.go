package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/gate"
)

func testEnrolReplace(t *testing.T, s gate.Store) {
	ctx := t.Context()
	for i := range 3 {
		e := gate.Enrolment{Flight: flightA, Pass: gate.PassID(fmt.Sprintf("p%d", i)), Sealed: "jwe-0", Departure: t0, EnrolledAt: t0}
		if err := s.Enrol(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Enrol(ctx, gate.Enrolment{Flight: flightA, Pass: "p1", Sealed: "jwe-1", Departure: t0, EnrolledAt: t0}); err != nil {
		t.Fatal(err)
	}
	es, err := s.Enrolments(ctx, flightA)
	if err != nil || len(es) != 3 || es[1].Pass != "p1" || es[1].Sealed != "jwe-1" || !es[1].Departure.Equal(t0) {
		t.Fatalf("enrolments = %+v, %v", es, err)
	}
	if es, err := s.Enrolments(ctx, flightB); err != nil || len(es) != 0 {
		t.Fatalf("other flight: %+v, %v", es, err)
	}
}

// Identify checks the enrolled ID's status at boarding time from the reference kept with
// the enrolment: every write path keeps it, a replacement replaces it, and an enrolment
// without one reads back without one (never another row's).
func testEnrolmentStatusRef(t *testing.T, s gate.Store) {
	ctx := t.Context()
	const uri = "https://issuer.idgate.test/status/7"
	ref := func(i int) credential.StatusRef { return credential.StatusRef{URI: uri, Index: i} }
	for _, e := range []gate.Enrolment{
		{Flight: flightA, Pass: "p0", Sealed: "x", Departure: t0, EnrolledAt: t0, Status: ref(0)},
		{Flight: flightA, Pass: "p1", Sealed: "x", Departure: t0, EnrolledAt: t0, Status: ref(131071)},
		{Flight: flightA, Pass: "p2", Sealed: "x", Departure: t0, EnrolledAt: t0}, // none
		{Flight: flightA, Pass: "p3", Sealed: "x", Departure: t0, EnrolledAt: t0, Status: ref(5)},
		{Flight: flightA, Pass: "p3", Sealed: "x", Departure: t0, EnrolledAt: t0.Add(time.Second), Status: ref(6)}, // reissued ID
	} {
		if err := s.Enrol(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	want := map[gate.PassID]credential.StatusRef{"p0": ref(0), "p1": ref(131071), "p2": {}, "p3": ref(6)}
	check := func(what string, es []gate.Enrolment, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, e := range es {
			if w, ok := want[e.Pass]; !ok || e.Status != w {
				t.Errorf("%s: %s has status %+v, want %+v", what, e.Pass, e.Status, w)
			}
		}
	}
	es, err := s.Enrolments(ctx, flightA)
	if len(es) != 4 {
		t.Fatalf("enrolments = %+v, %v", es, err)
	}
	check("Enrolments", es, err)
	es, err = s.EnrolmentsSince(ctx, flightA, t0)
	check("EnrolmentsSince", es, err)
	want["p2"], want["p4"] = ref(9), ref(10)
	if err := s.EnrolBatch(ctx, []gate.Enrolment{
		{Flight: flightA, Pass: "p2", Sealed: "x", Departure: t0, EnrolledAt: t0, Status: ref(9)},
		{Flight: flightA, Pass: "p4", Sealed: "x", Departure: t0, EnrolledAt: t0, Status: ref(10)},
	}); err != nil {
		t.Fatal(err)
	}
	es, err = s.Enrolments(ctx, flightA)
	check("Enrolments after EnrolBatch", es, err)
}

// Identify denies an enrolled ID past its expiry, kept with the enrolment: every write path
// keeps it (to the millisecond), a replacement replaces it, and an enrolment without one
// reads back as the zero time (unknown, denied), never another row's.
func testEnrolmentIDExpires(t *testing.T, s gate.Store) {
	ctx := t.Context()
	exp := func(d time.Duration) time.Time { return t0.Add(d) }
	want := map[gate.PassID]time.Time{"p0": exp(time.Hour + 123*time.Millisecond), "p1": exp(365 * 24 * time.Hour), "p2": {}, "p3": exp(2 * time.Hour)}
	for _, e := range []gate.Enrolment{
		{Flight: flightA, Pass: "p0", Sealed: "x", Departure: t0, EnrolledAt: t0, IDExpires: want["p0"]},
		{Flight: flightA, Pass: "p1", Sealed: "x", Departure: t0, EnrolledAt: t0, IDExpires: want["p1"]},
		{Flight: flightA, Pass: "p2", Sealed: "x", Departure: t0, EnrolledAt: t0}, // none
		{Flight: flightA, Pass: "p3", Sealed: "x", Departure: t0, EnrolledAt: t0, IDExpires: exp(time.Minute)},
		{Flight: flightA, Pass: "p3", Sealed: "x", Departure: t0, EnrolledAt: t0.Add(time.Second), IDExpires: want["p3"]}, // renewed ID
	} {
		if err := s.Enrol(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, es []gate.Enrolment, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, e := range es {
			if w, ok := want[e.Pass]; !ok || !e.IDExpires.Equal(w) {
				t.Errorf("%s: %s has ID expiry %v, want %v", what, e.Pass, e.IDExpires, w)
			}
		}
	}
	es, err := s.Enrolments(ctx, flightA)
	if len(es) != 4 {
		t.Fatalf("enrolments = %+v, %v", es, err)
	}
	check("Enrolments", es, err)
	es, err = s.EnrolmentsSince(ctx, flightA, t0)
	check("EnrolmentsSince", es, err)
	want["p2"], want["p4"] = exp(3*time.Hour), exp(4*time.Hour)
	if err := s.EnrolBatch(ctx, []gate.Enrolment{
		{Flight: flightA, Pass: "p2", Sealed: "x", Departure: t0, EnrolledAt: t0, IDExpires: want["p2"]},
		{Flight: flightA, Pass: "p4", Sealed: "x", Departure: t0, EnrolledAt: t0, IDExpires: want["p4"]},
	}); err != nil {
		t.Fatal(err)
	}
	es, err = s.Enrolments(ctx, flightA)
	check("Enrolments after EnrolBatch", es, err)
}

func testEnrolBatch(t *testing.T, s gate.Store) {
	ctx := t.Context()
	if err := s.Enrol(ctx, gate.Enrolment{Flight: flightA, Pass: "p0", Sealed: "old", Departure: t0, EnrolledAt: t0}); err != nil {
		t.Fatal(err)
	}
	batch := []gate.Enrolment{
		{Flight: flightA, Pass: "p0", Sealed: "new", Departure: t0.Add(time.Hour), EnrolledAt: t0}, // replaces a stored row
		{Flight: flightA, Pass: "p1", Sealed: "first", Departure: t0, EnrolledAt: t0},
		{Flight: flightB, Pass: "p1", Sealed: "other flight", Departure: t0, EnrolledAt: t0},
		{Flight: flightA, Pass: "p1", Sealed: "last", Departure: t0, EnrolledAt: t0}, // later wins within the batch
	}
	if err := s.EnrolBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := s.EnrolBatch(ctx, nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	es, err := s.Enrolments(ctx, flightA)
	if err != nil || len(es) != 2 || es[0].Sealed != "new" || !es[0].Departure.Equal(t0.Add(time.Hour)) || es[1].Sealed != "last" {
		t.Fatalf("flight A enrolments = %+v, %v", es, err)
	}
	if es, err := s.Enrolments(ctx, flightB); err != nil || len(es) != 1 || es[0].Sealed != "other flight" {
		t.Fatalf("flight B enrolments = %+v, %v", es, err)
	}
	many := make([]gate.Enrolment, 1000)
	for i := range many {
		many[i] = gate.Enrolment{Flight: flightB, Pass: gate.PassID(fmt.Sprintf("m%04d", i)), Sealed: "x", Departure: t0, EnrolledAt: t0}
	}
	if err := s.EnrolBatch(ctx, many); err != nil {
		t.Fatal(err)
	}
	if es, err := s.Enrolments(ctx, flightB); err != nil || len(es) != 1001 {
		t.Fatalf("flight B after 1000 more: %d, %v", len(es), err)
	}
}

func testEnrolmentsSince(t *testing.T, s gate.Store) {
	ctx := t.Context()
	for i, e := range []gate.Enrolment{
		{Flight: flightA, Pass: "early", Sealed: "x", Departure: t0, EnrolledAt: t0.Add(-time.Hour)},
		{Flight: flightA, Pass: "late", Sealed: "x", Departure: t0, EnrolledAt: t0},
		{Flight: flightB, Pass: "other", Sealed: "x", Departure: t0, EnrolledAt: t0},
		{Flight: flightA, Pass: "early", Sealed: "y", Departure: t0, EnrolledAt: t0.Add(time.Minute)}, // re-enrolled
	} {
		if err := s.Enrol(ctx, e); err != nil {
			t.Fatalf("enrolment %d: %v", i, err)
		}
	}
	got, err := s.EnrolmentsSince(ctx, flightA, t0)
	if err != nil || len(got) != 2 || got[0].Pass != "early" || got[0].Sealed != "y" || got[1].Pass != "late" {
		t.Fatalf("since t0: %+v, %v; want the re-enrolled early (y) and late", got, err)
	}
	if got, err := s.EnrolmentsSince(ctx, flightA, t0.Add(2*time.Minute)); err != nil || len(got) != 0 {
		t.Fatalf("since later: %+v, %v", got, err)
	}
}
