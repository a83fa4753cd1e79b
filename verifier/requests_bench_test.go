package verifier

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRequestStorePut: one Put into a store of 50,000 open requests, for a client of a
// fresh network (the usual case) and for one whose network holds its whole share (a flood's
// refused requests, which count the network's open requests).
func BenchmarkRequestStorePut(b *testing.B) {
	now := time.Now()
	s := NewMemoryRequestsPerClient(100_000, DefaultOpenPerClient).(*memoryRequests)
	s.now = func() time.Time { return now }
	for i := range 50_000 {
		client := fmt.Sprintf("10.%d.%d.%d", i/DefaultOpenPerClient/250, i/DefaultOpenPerClient%250, 1)
		if err := s.Put(PresentationRequest{ID: fmt.Sprint("fill-", i), ExpiresAt: now.Add(time.Hour)}, client); err != nil {
			b.Fatal(err)
		}
	}
	for i := range DefaultOpenPerClient * NetworkShare {
		if err := s.Put(PresentationRequest{ID: fmt.Sprint("flood-", i), ExpiresAt: now.Add(time.Hour)}, fmt.Sprintf("203.0.113.%d", i/DefaultOpenPerClient+1)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("new network", func(b *testing.B) {
		// Already expired, so that a full store sweeps them (one sweep per 50,000 Puts).
		for i := 0; b.Loop(); i++ {
			if err := s.Put(PresentationRequest{ID: fmt.Sprint("new-", i), ExpiresAt: now.Add(-time.Second)}, fmt.Sprintf("2001:db8:%x::/64", i%0xffff)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("network at its share", func(b *testing.B) {
		for b.Loop() {
			if err := s.Put(PresentationRequest{ID: "refused", ExpiresAt: now.Add(time.Hour)}, "203.0.113.200"); err != ErrNetworkRequestLimit {
				b.Fatal(err)
			}
		}
	})
}
