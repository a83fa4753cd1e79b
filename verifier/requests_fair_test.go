package verifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/oid4vp"
)

// TestRequestStoreFairAgainstManyAddresses: a thousand client addresses of a few networks,
// each opening its full share, do not fill the relying parties' request store: each network
// holds at most NetworkShare clients' worth, and a relying party from another network is
// still served. The store refuses rather than evicts when it is full.
func TestRequestStoreFairAgainstManyAddresses(t *testing.T) {
	now := time.Now()
	s := NewMemoryRequestsPerClient(100_000, DefaultOpenPerClient).(*memoryRequests)
	s.now = func() time.Time { return now }
	put := func(id, client string) error {
		return s.Put(PresentationRequest{ID: id, ExpiresAt: now.Add(5 * time.Minute)}, client)
	}
	type flood struct{ clients, stored, refusedNet int }
	run := func(addr func(i int) string) flood {
		var f flood
		for i := range 1000 {
			f.clients++
			for j := range DefaultOpenPerClient {
				err := put(fmt.Sprintf("%s-%d", addr(i), j), addr(i))
				switch {
				case err == nil:
					f.stored++
				case errors.Is(err, ErrNetworkRequestLimit):
					f.refusedNet++
				default:
					t.Fatalf("client %s request %d: %v", addr(i), j, err)
				}
				if errors.Is(err, ErrNetworkRequestLimit) {
					break
				}
			}
		}
		return f
	}
	// IPv4: 1000 addresses over four /24s.
	v4 := run(func(i int) string { return fmt.Sprintf("203.0.%d.%d", 112+i/250, i%250+1) })
	if want := 4 * DefaultOpenPerClient * NetworkShare; v4.stored != want {
		t.Fatalf("IPv4 flood stored %d requests, want %d (%+v)", v4.stored, want, v4)
	}
	// IPv6: 1000 /64s of one /48.
	v6 := run(func(i int) string { return fmt.Sprintf("2001:db8:7:%x::/64", i) })
	if want := DefaultOpenPerClient * NetworkShare; v6.stored != want {
		t.Fatalf("IPv6 flood stored %d requests, want %d (%+v)", v6.stored, want, v6)
	}
	if err := put("rental-desk", "198.51.100.20"); err != nil {
		t.Fatalf("a relying party of another network during the flood: %v", err)
	}
	// Answered requests free the network's share.
	if _, err := s.Take("203.0.112.1-0", now); err != nil {
		t.Fatal(err)
	}
	if err := put("203.0.112.99-0", "203.0.112.99"); err != nil {
		t.Fatalf("after an answer: %v", err)
	}
	if err := put("203.0.112.99-1", "203.0.112.99"); !errors.Is(err, ErrNetworkRequestLimit) {
		t.Fatalf("network share: %v", err)
	}
	if err := put("203.0.112.99-2", "203.0.112.99"); !errors.Is(err, ErrNetworkRequestLimit) {
		t.Fatalf("network share, refused again: %v", err)
	}
	// Expired requests free it too (the sweep of a full store is not needed for that).
	now = now.Add(5*time.Minute + time.Second)
	if err := put("203.0.112.99-3", "203.0.112.99"); err != nil {
		t.Fatalf("after the network's requests expired: %v", err)
	}
}

// TestRequestStoreFullRefuses: a full store refuses a newcomer and keeps every open request.
func TestRequestStoreFullRefuses(t *testing.T) {
	now := time.Now()
	s := NewMemoryRequestsPerClient(6, 1).(*memoryRequests) // 10 per network, 6 in all
	s.now = func() time.Time { return now }
	for i := range 6 {
		if err := s.Put(PresentationRequest{ID: fmt.Sprint(i), ExpiresAt: now.Add(time.Minute)}, fmt.Sprintf("192.0.2.%d", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(PresentationRequest{ID: "new", ExpiresAt: now.Add(time.Minute)}, "198.51.100.1"); !errors.Is(err, ErrTooManyRequests) {
		t.Fatalf("full store: %v", err)
	}
	for i := range 6 {
		if _, err := s.Take(fmt.Sprint(i), now); err != nil {
			t.Fatalf("request %d after the refusal: %v", i, err)
		}
	}
}

// TestRefusalLogBounded: a flood of refusals writes one line per interval, counting what it
// stands for, and names the client's network only.
func TestRefusalLogBounded(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(1_800_000_000, 0)
	l := NewRefusalLog(slog.New(slog.NewTextHandler(&buf, nil)), 10*time.Second)
	l.now = func() time.Time { return now }
	for i := range 5000 {
		l.Refused("rate_limited", fmt.Sprintf("203.0.113.%d", i%200+1))
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("%d lines for one interval:\n%s", n, buf.String())
	}
	now = now.Add(10 * time.Second)
	l.Refused("too_many_open_requests", "2001:db8:1:2::/64")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "refused=1 ") || !strings.Contains(lines[1], "refused=5000 ") ||
		!strings.Contains(lines[0], "network=203.0.113.0/24") || !strings.Contains(lines[1], "network=2001:db8:1::/48") {
		t.Fatalf("lines:\n%s", buf.String())
	}
	if strings.Contains(buf.String(), "203.0.113.1 ") || strings.Contains(buf.String(), "2001:db8:1:2") {
		t.Fatalf("a client address in the log:\n%s", buf.String())
	}
	var nilLog *RefusalLog
	nilLog.Refused("rate_limited", "192.0.2.1") // no logger: nothing, no panic
}

// TestRPRefusalsLogged: the relying-party API logs its rate-limit and open-request refusals.
func TestRPRefusalsLogged(t *testing.T) {
	var buf syncBuffer
	l := newLimitedRPWith(t, 1e6, 1000, 1, "127.0.0.1", NewRefusalLog(slog.New(slog.NewTextHandler(&buf, nil)), time.Second))
	if st, _, body := l.create(t, "198.51.100.7"); st != http.StatusCreated {
		t.Fatalf("first: %d %s", st, body)
	}
	if st, _, _ := l.create(t, "198.51.100.7"); st != http.StatusTooManyRequests {
		t.Fatalf("second: %d", st)
	}
	if got := buf.String(); !strings.Contains(got, "reason=too_many_open_requests") || !strings.Contains(got, "network=198.51.100.0/24") {
		t.Fatalf("log: %q", got)
	}
}

// syncBuffer is a bytes.Buffer the server's goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestVPTransactionsFairAgainstManyAddresses: OpenID4VP transactions are bounded per network
// as presentation requests are: a network's addresses together hold NetworkShare clients'
// worth (then ErrNetworkRequestLimit, 429), and another network is still served.
func TestVPTransactionsFairAgainstManyAddresses(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPost)
	q, err := QueryFromClaims("", []string{"given_name"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	share := DefaultOpenPerClient * NetworkShare
	for i := range share {
		if _, err := w.vp.Create(ctx, fmt.Sprintf("203.0.113.%d", i/DefaultOpenPerClient+1), q); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	_, err = w.vp.Create(ctx, "203.0.113.200", q)
	if !errors.Is(err, ErrNetworkRequestLimit) {
		t.Fatalf("past the network's share: %v", err)
	}
	if st, body := Render(err); st != http.StatusTooManyRequests || body.Code != "too_many_open_requests" {
		t.Fatalf("rendered: %d %+v", st, body)
	}
	if _, err := w.vp.Create(ctx, "198.51.100.20", q); err != nil {
		t.Fatalf("another network: %v", err)
	}
}
