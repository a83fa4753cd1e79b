package gate_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
	"github.com/idgate/idgate/gate/sqlitestore"
)

// TestIdentifyDeniesExpiredID: an ID that expires between check-in and boarding does not
// board by walk-through (credential_expired, as Verify answers), and is not marked boarded;
// a passenger whose ID is still valid boards. With the gallery opened before the enrolments
// (kept in step by Enrol) and read from the Store, in memory and in SQLite.
func TestIdentifyDeniesExpiredID(t *testing.T) {
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
			var mu sync.Mutex
			skew := time.Duration(0)
			cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(skew) }
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
			if !c.loadLate {
				if d := identify(w.Passenger(t, "Gabler", "Max")); firstReason(d) != gate.ReasonNoMatch {
					t.Fatalf("empty gallery: %+v", d)
				}
			}
			short := w.PassengerWith(t, "Mustermann", "Erika", gatetest.PassengerOpts{TTL: time.Hour})
			long := w.PassengerWith(t, "Musterfrau", "Eva", gatetest.PassengerOpts{TTL: 24 * time.Hour})
			for i, p := range []*gatetest.Passenger{short, long} {
				n, err := svc.CheckinNonce(ctx, w.Flight)
				if err != nil {
					t.Fatal(err)
				}
				d := svc.Enrol(ctx, w.Flight, &gate.EnrolRequest{Presentation: p.Present(t, n),
					BCBP: w.Pass(t, p.Family+"/"+p.Given, gatetest.PassOpts{Sequence: i + 1})})
				if !d.Allowed() {
					t.Fatalf("enrol %s: %+v", p.Family, d)
				}
			}
			// Boarding starts two hours after check-in: the first ID expired meanwhile.
			mu.Lock()
			skew = 2 * time.Hour
			mu.Unlock()
			d := identify(short)
			if d.Allowed() || firstReason(d) != gate.ReasonCredentialExpired || d.CredentialCode != "expired" ||
				d.Checks.Credential != gate.CheckFail || d.Checks.SingleUse != gate.CheckSkipped {
				t.Fatalf("expired ID: %+v", d)
			}
			if d := identify(long); !d.Allowed() {
				t.Fatalf("valid ID: %+v", d)
			}
			if d := identify(short); firstReason(d) != gate.ReasonCredentialExpired {
				t.Fatalf("expired ID again (not boarded by the first try): %+v", d)
			}
		})
	}
}
