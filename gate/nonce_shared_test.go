package gate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// TestSharedNonces: two instances over one Store with SharedNonces: a terminal's nonce from
// instance A verifies at instance B, once; without SharedNonces B does not know A's nonce.
func TestSharedNonces(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	cfg := w.Config(t)
	cfg.SharedNonces = true
	a, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	p := w.Passenger(t, "Mustermann", "Erika")
	req := func(svc *gate.Service, seq int) *gate.VerifyRequest {
		n, err := svc.GateNonce(ctx, "A1")
		if err != nil {
			t.Fatal(err)
		}
		return &gate.VerifyRequest{Presentation: p.Present(t, n), BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: seq}),
			LiveFace: gate.LiveFace{Template: w.LiveTemplate(t, p)}}
	}
	r := req(a, 1)
	if d := b.Verify(ctx, "A1", r); !d.Allowed() {
		t.Fatalf("A's nonce at B: %+v", d)
	}
	r.BCBP = w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 2}) // another booking: only the nonce is replayed
	if d := a.Verify(ctx, "A1", r); d.Allowed() || d.Reasons[0] != gate.ReasonNonceInvalid {
		t.Fatalf("replay at A: %+v", d)
	}

	// Per-instance nonces (the default): B cannot take A's.
	cfg.SharedNonces = false
	c, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if d := e.Verify(ctx, "A1", req(c, 3)); d.Allowed() || d.Reasons[0] != gate.ReasonNonceInvalid {
		t.Fatalf("an instance took another's in-memory nonce: %+v", d)
	}

	// A Store without NonceStore cannot share nonces.
	cfg.SharedNonces, cfg.Store = true, storeOnly{cfg.Store}
	if _, err := gate.New(cfg); err == nil {
		t.Fatal("SharedNonces accepted a Store without NonceStore")
	}
}

// storeOnly hides the NonceStore of the Store it wraps.
type storeOnly struct{ gate.Store }

// countingNonces counts TakeNonce calls reaching the store.
type countingNonces struct {
	*gate.MemoryStore
	takes int
}

func (c *countingNonces) TakeNonce(ctx context.Context, scope, nonce string, now time.Time) (time.Time, bool, error) {
	c.takes++
	return c.MemoryStore.TakeNonce(ctx, scope, nonce, now)
}

// TestMisshapenNonceSkipsTheStore: a nonce that cannot be one we issued (wrong length, a NUL,
// non-base64url) is refused before any store round trip.
func TestMisshapenNonceSkipsTheStore(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	store := &countingNonces{MemoryStore: gate.NewMemoryStore()}
	cfg := w.Config(t)
	cfg.Store, cfg.SharedNonces = store, true
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutGate(ctx, "A1", gate.GateUpdate{Carrier: "IG", Number: "101", Date: w.Flight.Date, Boarding: true}); err != nil {
		t.Fatal(err)
	}
	p := w.Passenger(t, "Mustermann", "Erika")
	for _, n := range []string{"a\x00b", "short", strings.Repeat("a", 31) + "=", strings.Repeat("a", 33)} {
		pres := p.Present(t, gate.Nonce{Nonce: n, Audience: svc.GateAudience("A1")})
		d := svc.Verify(ctx, "A1", &gate.VerifyRequest{Presentation: pres, BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{}),
			LiveFace: gate.LiveFace{Template: w.LiveTemplate(t, p)}})
		if d.Allowed() || d.Reasons[0] != gate.ReasonNonceInvalid {
			t.Fatalf("nonce %q: %+v", n, d)
		}
	}
	if store.takes != 0 {
		t.Fatalf("%d misshapen nonces reached the store", store.takes)
	}
	// Control: an issued nonce does reach it.
	n, err := svc.GateNonce(ctx, "A1")
	if err != nil {
		t.Fatal(err)
	}
	if d := svc.Verify(ctx, "A1", &gate.VerifyRequest{Presentation: p.Present(t, n), BCBP: w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{}),
		LiveFace: gate.LiveFace{Template: w.LiveTemplate(t, p)}}); !d.Allowed() || store.takes != 1 {
		t.Fatalf("issued nonce: %+v, %d takes", d, store.takes)
	}
}
