package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
)

func testNonces(t *testing.T, s gate.Store) {
	ctx := t.Context()
	ns, ok := s.(gate.NonceStore)
	if !ok {
		t.Skip("the store keeps no nonces (gate.NonceStore)")
	}
	exp := t0.Add(2 * time.Minute)
	for _, n := range []string{"n1", "n2", "old"} {
		e := exp
		if n == "old" {
			e = t0.Add(-time.Second)
		}
		if err := ns.PutNonce(ctx, "gate/A1", n, e); err != nil {
			t.Fatal(err)
		}
	}
	take := func(scope, n string, at time.Time) bool {
		t.Helper()
		got, ok, err := ns.TakeNonce(ctx, scope, n, at)
		if err != nil {
			t.Fatal(err)
		}
		if ok && !got.Equal(exp) {
			t.Fatalf("take %s returned expiry %v, want %v", n, got, exp)
		}
		return ok
	}
	if take("gate/B2", "n1", t0) {
		t.Fatal("a nonce was taken under another scope")
	}
	if !take("gate/A1", "n1", t0) || take("gate/A1", "n1", t0) {
		t.Fatal("n1: want exactly one take")
	}
	if take("gate/A1", "n2", exp) {
		t.Fatal("n2 taken at its expiry")
	}
	if take("gate/A1", "unknown", t0) {
		t.Fatal("unknown nonce taken")
	}
	// A taken nonce put back with the expiry its take returned is single use again.
	if err := ns.PutNonce(ctx, "gate/A1", "n1", exp); err != nil {
		t.Fatal(err)
	}
	if !take("gate/A1", "n1", t0) || take("gate/A1", "n1", t0) {
		t.Fatal("n1 put back: want exactly one more take")
	}
	if err := ns.PurgeNonces(ctx, t0); err != nil {
		t.Fatal(err)
	}
	if take("gate/A1", "old", t0.Add(-time.Hour)) {
		t.Fatal("a nonce that expired before the purge survived it")
	}
	// Concurrent takes of one nonce: exactly one wins.
	if err := ns.PutNonce(ctx, "gate/A1", "race", exp); err != nil {
		t.Fatal(err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok, err := ns.TakeNonce(ctx, "gate/A1", "race", t0); err == nil && ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d concurrent takes won, want 1", wins.Load())
	}
}
