package verifier

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/internal/ratelimit"
)

// limitedRP is the relying-party API with a rate limit and a small per-client request bound,
// on a real fasthttp server on 127.0.0.1; its clock is the test's.
type limitedRP struct {
	url string
	mu  sync.Mutex
	now time.Time
}

func (l *limitedRP) clock() time.Time { l.mu.Lock(); defer l.mu.Unlock(); return l.now }

func (l *limitedRP) advance(d time.Duration) { l.mu.Lock(); l.now = l.now.Add(d); l.mu.Unlock() }

func newLimitedRP(t *testing.T, rate float64, burst, perClient int, proxies string) *limitedRP {
	t.Helper()
	return newLimitedRPWith(t, rate, burst, perClient, proxies, nil)
}

// newLimitedRPWith is newLimitedRP logging refusals to refusals.
func newLimitedRPWith(t *testing.T, rate float64, burst, perClient int, proxies string, refusals *RefusalLog) *limitedRP {
	t.Helper()
	l := &limitedRP{now: time.Now()}
	env := credentialtest.New(t)
	store := NewMemoryRequestsPerClient(1000, perClient)
	store.(*memoryRequests).now = l.clock
	rp, err := NewRP(RPConfig{Credentials: env.Verifier(t), Requests: store, Audience: "https://rental.example", Now: l.clock})
	if err != nil {
		t.Fatal(err)
	}
	lim, err := ratelimit.New(ratelimit.Config{Rate: rate, Burst: burst, MaxClients: 100, Now: l.clock})
	if err != nil {
		t.Fatal(err)
	}
	px, err := ratelimit.ParseProxies(proxies)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer((&API{RP: rp, Limit: lim, Proxies: px, OpenRP: true, Refusals: refusals}).Handler)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	l.url = "http://" + ln.Addr().String()
	return l
}

// create opens a request as the client named by forwardedFor ("" : the TCP peer).
func (l *limitedRP) create(t *testing.T, forwardedFor string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", l.url+"/v1/presentation-requests", strings.NewReader(`{"claims":["age_over_18"]}`))
	if forwardedFor != "" {
		req.Header.Set("x-forwarded-for", forwardedFor)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 512)
	n, _ := resp.Body.Read(buf)
	b.Write(buf[:n])
	return resp.StatusCode, resp.Header, b.String()
}

func TestRPRateLimitPerClient(t *testing.T) {
	l := newLimitedRP(t, 1, 3, 100, "127.0.0.1")
	for i := range 3 {
		if st, _, body := l.create(t, "198.51.100.7"); st != http.StatusCreated {
			t.Fatalf("request %d: %d %s", i, st, body)
		}
	}
	st, h, body := l.create(t, "198.51.100.7")
	if st != http.StatusTooManyRequests || h.Get("Retry-After") != "1" || !strings.Contains(body, `"rate_limited"`) {
		t.Fatalf("over the burst: %d Retry-After %q %s", st, h.Get("Retry-After"), body)
	}
	// Another client behind the same proxy has its own bucket; a spoofed left-hand entry
	// does not buy one.
	if st, _, body := l.create(t, "203.0.113.9"); st != http.StatusCreated {
		t.Fatalf("other client: %d %s", st, body)
	}
	if st, _, _ := l.create(t, "203.0.113.50, 198.51.100.7"); st != http.StatusTooManyRequests {
		t.Fatalf("spoofed X-Forwarded-For: %d", st)
	}
	l.advance(time.Second)
	if st, _, body := l.create(t, "198.51.100.7"); st != http.StatusCreated {
		t.Fatalf("after a second: %d %s", st, body)
	}
}

func TestRPRateLimitCountsUnauthorized(t *testing.T) {
	l := newLimitedRP(t, 1, 2, 100, "")
	for range 2 {
		req, _ := http.NewRequest("POST", l.url+"/v1/presentation-requests/x/verify", strings.NewReader(`{"presentation":"x"}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if st, _, _ := l.create(t, ""); st != http.StatusTooManyRequests {
		t.Fatalf("third request: %d", st)
	}
}

// TestRPOpenRequestsPerClient: one client cannot fill the request store; it gets 429 once it
// holds its share of open requests, others are unaffected, and answering or expiry frees room.
func TestRPOpenRequestsPerClient(t *testing.T) {
	l := newLimitedRP(t, 1e6, 1000, 3, "127.0.0.1")
	for i := range 3 {
		if st, _, body := l.create(t, "198.51.100.7"); st != http.StatusCreated {
			t.Fatalf("request %d: %d %s", i, st, body)
		}
	}
	st, _, body := l.create(t, "198.51.100.7")
	if st != http.StatusTooManyRequests || !strings.Contains(body, `"too_many_open_requests"`) {
		t.Fatalf("over the share: %d %s", st, body)
	}
	if st, _, body := l.create(t, "203.0.113.9"); st != http.StatusCreated {
		t.Fatalf("other client: %d %s", st, body)
	}
	l.advance(5*time.Minute + time.Second)
	if st, _, body := l.create(t, "198.51.100.7"); st != http.StatusCreated {
		t.Fatalf("after expiry: %d %s", st, body)
	}
}

func TestMemoryRequestsPerClient(t *testing.T) {
	now := time.Now()
	s := NewMemoryRequestsPerClient(5, 2).(*memoryRequests)
	s.now = func() time.Time { return now }
	put := func(id, client string) error {
		return s.Put(PresentationRequest{ID: id, ExpiresAt: now.Add(time.Minute)}, client)
	}
	for _, tc := range []struct {
		id, client string
		want       error
	}{
		{"a1", "a", nil}, {"a2", "a", nil}, {"a3", "a", ErrClientRequestLimit},
		{"b1", "b", nil}, {"c1", "c", nil}, {"d1", "d", nil}, {"e1", "e", ErrTooManyRequests},
	} {
		if err := put(tc.id, tc.client); !errors.Is(err, tc.want) {
			t.Fatalf("put %s for %s: %v, want %v", tc.id, tc.client, err, tc.want)
		}
	}
	// An answered request is no longer open: a's share frees up, the store does not.
	if _, err := s.Take("a1", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Take("a1", now); !errors.Is(err, ErrRequestUsed) {
		t.Fatalf("replay: %v", err)
	}
	if err := put("a3", "a"); !errors.Is(err, ErrTooManyRequests) {
		t.Fatalf("a3 into a full store: %v", err)
	}
	// After expiry the sweep frees everything, and the client lists with it.
	now = now.Add(2 * time.Minute)
	if err := put("a4", "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Take("a2", now); !errors.Is(err, ErrRequestNotFound) {
		t.Fatalf("swept request: %v", err)
	}
	if len(s.reqs) != 1 || len(s.clients) != 1 || len(s.clients["a"]) != 1 {
		t.Fatalf("after the sweep: %d requests, clients %v", len(s.reqs), s.clients)
	}
}
