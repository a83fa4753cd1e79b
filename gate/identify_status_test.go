package gate_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
	"github.com/idgate/idgate/gate/sqlitestore"
	"github.com/idgate/idgate/statuslist"
)

// TestIdentifyChecksStatus: walk-through boarding checks the enrolled ID's status at boarding
// time, as Verify does. Passengers enrol at check-in with valid IDs; then one ID is revoked,
// one suspended, and for a third the status list cannot be fetched: each is denied (and not
// marked boarded), the others board. An enrolment that kept no status reference never
// boards by walk-through. With the gallery opened before the enrolments (kept in step by
// Enrol) and after them (read from the Store), in memory and in SQLite.
func TestIdentifyChecksStatus(t *testing.T) {
	for _, c := range []struct {
		name     string
		sqlite   bool
		loadLate bool
	}{
		{"memory, gallery loaded first", false, false},
		{"memory, gallery loaded from the store", false, true},
		{"sqlite, gallery loaded from the store", true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			w := gatetest.New(t)
			cfg := w.Config(t)
			if c.sqlite {
				st, err := sqlitestore.Open(filepath.Join(t.TempDir(), "gate.db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				cfg.Store = st
			}
			svc, err := gate.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
				t.Fatal(err)
			}
			identify := func(p *gatetest.Passenger) *gate.Decision {
				return svc.Identify(ctx, "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: w.LiveTemplate(t, p)}})
			}
			stranger := w.Passenger(t, "Gabler", "Max")
			if !c.loadLate { // opens the (empty) gallery now: Enrol then adds to it
				if d := identify(stranger); firstReason(d) != gate.ReasonNoMatch {
					t.Fatalf("empty gallery: %+v", d)
				}
			}
			ps := make([]*gatetest.Passenger, 5)
			for i := range ps {
				ps[i] = w.Passenger(t, "Mustermann", "Erika")
				n, err := svc.CheckinNonce(ctx, w.Flight)
				if err != nil {
					t.Fatal(err)
				}
				d := svc.Enrol(ctx, w.Flight, &gate.EnrolRequest{Presentation: ps[i].Present(t, n),
					BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: i + 1})})
				if !d.Allowed() {
					t.Fatalf("enrol %d: %+v", i, d)
				}
			}
			// An enrolment without a status reference, as a schema version 3 row reads back
			// (with an expiry, so that the missing reference is what denies it).
			legacy := w.Passenger(t, "Mustermann", "Erika")
			sealed, err := biometric.Seal(legacy.Face, &w.ReaderKey.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.Store.Enrol(ctx, gate.Enrolment{Flight: w.Flight.Key(), Pass: "legacy-row-0000000000", Sealed: sealed,
				Departure: w.Flight.DefaultDeparture(), IDExpires: time.Now().Add(24 * time.Hour)}); err != nil {
				t.Fatal(err)
			}

			revoked, suspended, unreachable, valid, reinstated := ps[0], ps[1], ps[2], ps[3], ps[4]
			w.Env.SetStatus(t, revoked.Holder.StatusIdx, statuslist.Invalid)
			w.Env.SetStatus(t, suspended.Holder.StatusIdx, statuslist.Suspended)
			w.Env.SetStatus(t, reinstated.Holder.StatusIdx, statuslist.Suspended)

			deny := func(p *gatetest.Passenger, want gate.Reason) {
				t.Helper()
				d := identify(p)
				if d.Allowed() || firstReason(d) != want || d.Checks.Credential != gate.CheckFail || d.Checks.SingleUse != gate.CheckSkipped {
					t.Fatalf("want %s, nothing boarded: %+v", want, d)
				}
				if _, ok := d.Score(); ok {
					t.Fatalf("deny carries a score: %+v", d)
				}
			}
			allow := func(p *gatetest.Passenger) {
				t.Helper()
				d := identify(p)
				if !d.Allowed() || d.Checks.Credential != gate.CheckPass || d.Checks.SingleUse != gate.CheckPass {
					t.Fatalf("want allow: %+v", d)
				}
			}
			if c.sqlite {
				// Fresh Service over the same file: the gallery and its references come from disk.
				if svc, err = gate.New(cfg); err != nil {
					t.Fatal(err)
				}
			}
			deny(revoked, gate.ReasonCredentialRevoked)
			deny(suspended, gate.ReasonCredentialSuspend)
			deny(reinstated, gate.ReasonCredentialSuspend)
			if c.loadLate { // a loaded gallery sees only Enrol's enrolments (no GallerySync here)
				deny(legacy, gate.ReasonStatusUnavailable)
			}
			w.Env.FailStatus(http.StatusServiceUnavailable)
			deny(unreachable, gate.ReasonStatusUnavailable)
			w.Env.FailStatus(0)

			allow(unreachable) // the list answers again; nothing was recorded by the deny
			allow(valid)
			w.Env.SetStatus(t, reinstated.Holder.StatusIdx, statuslist.Valid) // suspension lifted
			allow(reinstated)
			deny(revoked, gate.ReasonCredentialRevoked) // still, on every attempt
		})
	}
}
