package vpstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/idgate/idgate/verifier/vpstore"
	"github.com/idgate/idgate/verifier/vpstore/conformance"
)

func TestMemoryConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) (vpstore.Store, vpstore.Store) {
		m := vpstore.NewMemory(nil)
		return m, m
	})
}

// TestMemoryFullRefuses: the in-memory store holds at most MaxMemory transactions; past that
// it refuses new ones (ErrFull), keeps every stored one, and takes new ones again once
// DeleteExpired freed room.
func TestMemoryFullRefuses(t *testing.T) {
	now := time.Now()
	m := vpstore.NewMemory(func() time.Time { return now })
	ctx := context.Background()
	for i := range vpstore.MaxMemory { // each client a network of its own
		tr := vpstore.Transaction{ID: fmt.Sprint(i), Client: fmt.Sprintf("2001:db8:%x:%x::/64", i, i), CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if i%2 == 0 {
			tr.ExpiresAt = now.Add(time.Second)
		}
		if err := m.Create(ctx, tr, 1000); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	newcomer := vpstore.Transaction{ID: "new", Client: "198.51.100.1", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	if err := m.Create(ctx, newcomer, 1000); !errors.Is(err, vpstore.ErrFull) {
		t.Fatalf("full store: %v", err)
	}
	if _, err := m.Get(ctx, "1"); err != nil {
		t.Fatalf("stored transaction after the refusal: %v", err)
	}
	now = now.Add(2 * time.Second)
	if n, err := m.DeleteExpired(ctx, now); err != nil || n != vpstore.MaxMemory/2 {
		t.Fatalf("delete expired: %d %v", n, err)
	}
	if err := m.Create(ctx, newcomer, 1000); err != nil {
		t.Fatalf("after the sweep: %v", err)
	}
}
