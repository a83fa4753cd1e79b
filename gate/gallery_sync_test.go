package gate_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// TestGallerySync: instance B has loaded a flight's gallery; a passenger then enrolled
// through another instance (a row in the shared Store) is found by B once GallerySync has
// passed, and a re-enrolment with a new face replaces the old one. Without GallerySync B's
// gallery stays as loaded.
func TestGallerySync(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		sync time.Duration
	}{{"synced", 2 * time.Second}, {"not synced", 0}} {
		t.Run(c.name, func(t *testing.T) {
			w := gatetest.New(t)
			clk := &clock{now: time.Now()}
			cfg := w.Config(t)
			cfg.Now, cfg.GallerySync = clk.Now, c.sync
			b, err := gate.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
				t.Fatal(err)
			}
			enrolElsewhere := func(pass gate.PassID, face biometric.Template) {
				t.Helper()
				sealed, err := biometric.Seal(face, &w.ReaderKey.PublicKey)
				if err != nil {
					t.Fatal(err)
				}
				e := gate.Enrolment{Flight: w.Flight.Key(), Pass: pass, Sealed: sealed, Departure: clk.Now().Add(6 * time.Hour), EnrolledAt: clk.Now(), Status: w.Env.Slot(), IDExpires: clk.Now().Add(48 * time.Hour)}
				if err := cfg.Store.Enrol(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			identify := func(face biometric.Template) *gate.Decision {
				live, _ := w.Near(face, 0.1).EncodeString()
				return b.Identify(ctx, "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: live}})
			}
			first, second, newFace := w.Template(), w.Template(), w.Template()
			enrolElsewhere("pass-1-000000000000", first)
			if d := identify(first); !d.Allowed() { // loads B's gallery
				t.Fatalf("first passenger: %+v", d)
			}
			clk.Advance(time.Second)
			enrolElsewhere("pass-2-000000000000", second)
			if d := identify(second); d.Allowed() {
				t.Fatalf("found before GallerySync passed: %+v", d)
			}
			clk.Advance(2 * time.Second)
			d := identify(second)
			if c.sync == 0 {
				if d.Allowed() {
					t.Fatalf("gallery changed without GallerySync: %+v", d)
				}
				return
			}
			if !d.Allowed() {
				t.Fatalf("enrolment from another instance not synced: %+v", d)
			}
			// Re-enrolment elsewhere with another face (and so another JWE) replaces the synced
			// entry: the old face no longer matches, the new one does.
			oldFace := w.Template()
			enrolElsewhere("pass-3-000000000000", oldFace)
			clk.Advance(3 * time.Second)
			if d := identify(w.Template()); d.Allowed() { // a stranger; this sync brings pass-3's old face
				t.Fatalf("stranger boarded: %+v", d)
			}
			enrolElsewhere("pass-3-000000000000", newFace)
			clk.Advance(3 * time.Second)
			if d := identify(oldFace); d.Allowed() {
				t.Fatalf("replaced face still boards: %+v", d)
			}
			if d := identify(newFace); !d.Allowed() || d.PassRef != "pass-3-000000000" {
				t.Fatalf("re-enrolled face: %+v", d)
			}
		})
	}
}

// failingSincer fails EnrolmentsSince and counts the calls.
type failingSincer struct {
	*gate.MemoryStore
	calls int
}

func (f *failingSincer) EnrolmentsSince(context.Context, string, time.Time) ([]gate.Enrolment, error) {
	f.calls++
	return nil, errors.New("store down")
}

// TestGallerySyncEdges: a departure-only change reaches the gallery (retention follows it),
// a replacement that does not open removes the old face, and a failing Store is retried after
// GallerySync, not on every request.
func TestGallerySyncEdges(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	clk := &clock{now: time.Now()}
	cfg := w.Config(t)
	cfg.Now, cfg.GallerySync, cfg.Retention = clk.Now, 2*time.Second, time.Hour
	b, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	face := w.Template()
	sealed, err := biometric.Seal(face, &w.ReaderKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	enrol := func(sealed string, dep time.Time) {
		t.Helper()
		e := gate.Enrolment{Flight: w.Flight.Key(), Pass: "pass-1-000000000000", Sealed: sealed, Departure: dep, EnrolledAt: clk.Now(), Status: w.Env.Slot(), IDExpires: clk.Now().Add(48 * time.Hour)}
		if err := cfg.Store.Enrol(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	identify := func(f biometric.Template) *gate.Decision {
		live, _ := w.Near(f, 0.1).EncodeString()
		return b.Identify(ctx, "A1", &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: live}})
	}
	enrol(sealed, clk.Now().Add(6*time.Hour))
	if d := identify(w.Template()); d.Allowed() { // a stranger: loads the gallery
		t.Fatalf("stranger: %+v", d)
	}
	// Same JWE, departure corrected to +1 h elsewhere; then retention passes that departure.
	enrol(sealed, clk.Now().Add(time.Hour))
	clk.Advance(3 * time.Second)
	if d := identify(w.Template()); d.Allowed() { // syncs the corrected departure
		t.Fatalf("stranger: %+v", d)
	}
	clk.Advance(2*time.Hour + time.Minute)
	// Another instance's purge deletes the row; B's own purge then finds nothing in the Store
	// and drops gallery entries by the departures it holds, which must be the corrected one.
	if _, err := cfg.Store.Purge(ctx, clk.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if d := identify(face); d.Allowed() {
		t.Fatalf("boarded from a template past its corrected retention: %+v", d)
	}

	// A replacement sealed to another reader key does not open here: the old face goes.
	enrol(sealed, clk.Now().Add(6*time.Hour))
	clk.Advance(3 * time.Second)
	if d := identify(face); !d.Allowed() {
		t.Fatalf("re-enrolled face after sync: %+v", d)
	}
	otherReader, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := biometric.Seal(w.Template(), &otherReader.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	enrol(foreign, clk.Now().Add(6*time.Hour))
	clk.Advance(3 * time.Second)
	if d := identify(face); d.Allowed() {
		t.Fatalf("old face still boards after an unopenable replacement: %+v", d)
	}

	// A failing Store: one call per GallerySync, not one per request.
	fs := &failingSincer{MemoryStore: gate.NewMemoryStore()}
	cfg.Store = fs
	c, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	live, _ := w.Template().EncodeString()
	req := &gate.IdentifyRequest{LiveFace: gate.LiveFace{Template: live}}
	c.Identify(ctx, "A1", req) // loads
	clk.Advance(3 * time.Second)
	for range 5 {
		c.Identify(ctx, "A1", req)
	}
	if fs.calls != 1 {
		t.Fatalf("%d store reads for 5 requests within one GallerySync", fs.calls)
	}
}
