package gate_test

import (
	"context"
	"testing"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// TestGateConfigCache pins what the configuration cache promises: this instance's own change
// is visible at once; another instance's change (sharing the store) only after the TTL, or
// at once when caching is disabled.
func TestGateConfigCache(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	newSvc := func(cfg gate.Config, ttl int) *gate.Service {
		if ttl < 0 {
			cfg.GateCacheTTL = -1
		}
		s, err := gate.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := w.Config(t)
	a, cached, uncached := newSvc(base, 0), newSvc(base, 0), newSvc(base, -1)
	open := gate.GateUpdate{Carrier: w.Flight.Carrier, Number: w.Flight.Number, Date: w.Flight.Date, Boarding: true}
	if _, err := a.PutGate(ctx, "B7", open); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*gate.Service{cached, uncached} {
		if g, err := s.Gate(ctx, "B7"); err != nil || !g.Boarding {
			t.Fatalf("before: %+v %v", g, err)
		}
	}
	closed := open
	closed.Boarding = false
	if _, err := a.PutGate(ctx, "B7", closed); err != nil {
		t.Fatal(err)
	}
	if g, _ := a.Gate(ctx, "B7"); g.Boarding {
		t.Fatal("own change not visible at once")
	}
	if g, _ := uncached.Gate(ctx, "B7"); g.Boarding {
		t.Fatal("uncached instance sees a stale configuration")
	}
	if g, _ := cached.Gate(ctx, "B7"); !g.Boarding {
		t.Fatal("cached instance re-read the store within its TTL")
	}
	if _, err := cached.Gate(ctx, "nope"); err == nil {
		t.Fatal("unknown gate found")
	}
}
