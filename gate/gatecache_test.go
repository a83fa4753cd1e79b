package gate_test

import (
	"context"
	"sync"
	"testing"
	"time"

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

// blockingStore holds its first Gate read after reading, until released: a read that
// started before a PutGate on this instance and returns after it.
type blockingStore struct {
	gate.Store
	once    sync.Once
	reading chan struct{}
	release chan struct{}
}

func (b *blockingStore) Gate(ctx context.Context, id string) (gate.GateConfig, error) {
	g, err := b.Store.Gate(ctx, id)
	b.once.Do(func() { close(b.reading); <-b.release })
	return g, err
}

// TestGateCacheKeepsOwnChange: an older Store read finishing after this instance's PutGate
// must not replace the change in the cache (boarding closed would reopen for the TTL).
func TestGateCacheKeepsOwnChange(t *testing.T) {
	ctx := context.Background()
	w := gatetest.New(t)
	cfg := w.Config(t)
	bs := &blockingStore{Store: cfg.Store, reading: make(chan struct{}), release: make(chan struct{})}
	cfg.Store, cfg.GateCacheTTL = bs, time.Hour
	svc, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Configured earlier (by another instance): boarding.
	if err := bs.Store.PutGate(ctx, gate.GateConfig{Gate: "B7", Flight: w.Flight, Boarding: true,
		Departure: w.Flight.DefaultDeparture(), UpdatedAt: time.Now().Add(-time.Minute).UTC()}); err != nil {
		t.Fatal(err)
	}
	done := make(chan gate.GateConfig)
	go func() {
		g, _ := svc.Gate(ctx, "B7") // reads "boarding", then waits
		done <- g
	}()
	<-bs.reading
	closed := gate.GateUpdate{Carrier: w.Flight.Carrier, Number: w.Flight.Number, Date: w.Flight.Date, Boarding: false}
	if _, err := svc.PutGate(ctx, "B7", closed); err != nil {
		t.Fatal(err)
	}
	close(bs.release)
	if g := <-done; g.Boarding {
		t.Error("the racing read returned the configuration older than this instance's change")
	}
	if g, err := svc.Gate(ctx, "B7"); err != nil || g.Boarding {
		t.Fatalf("after the race: %+v %v; own change (boarding closed) lost", g, err)
	}
}
