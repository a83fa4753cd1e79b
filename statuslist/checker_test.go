package statuslist_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/statuslist"
)

// listServer serves the fixture's token at /status/1 and counts requests.
type listServer struct {
	*httptest.Server
	hits   atomic.Int32
	mu     sync.Mutex
	token  string
	status int
	ctype  string
	block  atomic.Pointer[chan struct{}] // if set, handlers wait on it
}

func newListServer(t *testing.T) *listServer {
	s := &listServer{status: http.StatusOK, ctype: statuslist.MediaType}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if r.Header.Get("Accept") != statuslist.MediaType {
			http.Error(w, "bad accept", http.StatusNotAcceptable)
			return
		}
		if b := s.block.Load(); b != nil {
			select {
			case <-*b:
			case <-r.Context().Done():
				return
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", s.ctype)
		w.WriteHeader(s.status)
		w.Write([]byte(s.token))
	}))
	t.Cleanup(s.Close)
	return s
}

// hold makes handlers block until the returned release is called.
func (s *listServer) hold() (release func()) {
	ch := make(chan struct{})
	s.block.Store(&ch)
	return func() { s.block.Store(nil); close(ch) }
}

func (s *listServer) set(token string, status int) {
	s.mu.Lock()
	s.token, s.status = token, status
	s.mu.Unlock()
}

// clock is an injectable Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func setup(t *testing.T) (*fixture, *listServer, *clock, string) {
	f := newFixture(t)
	srv := newListServer(t)
	uri := srv.URL + "/status/1"
	return f, srv, &clock{t: f.now}, uri
}

func signFor(t *testing.T, f *fixture, uri string, mod func(*statuslist.Token)) string {
	t.Helper()
	tok := statuslist.Token{Subject: uri, IssuedAt: f.now, ExpiresAt: f.now.Add(time.Hour), TTL: 10 * time.Minute, List: f.list}
	if mod != nil {
		mod(&tok)
	}
	s, err := statuslist.Sign(tok, f.signer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheckerStatusAndCaching(t *testing.T) {
	f, srv, clk, uri := setup(t)
	srv.set(signFor(t, f, uri, nil), http.StatusOK)
	c := statuslist.NewChecker(statuslist.CheckerConfig{Trust: f.trust, Now: clk.Now, MaxTTL: time.Hour})
	ctx := context.Background()

	for idx, want := range map[int]uint8{0: statuslist.Valid, 7: statuslist.Invalid, 8: statuslist.Suspended} {
		got, err := c.Status(ctx, statuslist.Reference{Index: idx, URI: uri})
		if err != nil || got != want {
			t.Fatalf("Status(%d) = %d, %v; want %d", idx, got, err, want)
		}
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("%d fetches for three lookups, want 1", n)
	}
	// The issuer revokes entry 0; the cached list answers until ttl (10 min) passes.
	f.list.Set(0, statuslist.Invalid)
	srv.set(signFor(t, f, uri, func(tk *statuslist.Token) { tk.IssuedAt = f.now.Add(9 * time.Minute) }), http.StatusOK)
	clk.Add(9 * time.Minute)
	if got, _ := c.Status(ctx, statuslist.Reference{Index: 0, URI: uri}); got != statuslist.Valid || srv.hits.Load() != 1 {
		t.Fatalf("within ttl: status %d after %d fetches", got, srv.hits.Load())
	}
	clk.Add(2 * time.Minute)
	if got, err := c.Status(ctx, statuslist.Reference{Index: 0, URI: uri}); err != nil || got != statuslist.Invalid || srv.hits.Load() != 2 {
		t.Fatalf("after ttl: status %d, %v after %d fetches", got, err, srv.hits.Load())
	}
	// Invalidate forces a refetch.
	c.Invalidate(uri)
	c.Status(ctx, statuslist.Reference{Index: 0, URI: uri})
	if srv.hits.Load() != 3 {
		t.Fatalf("Invalidate: %d fetches", srv.hits.Load())
	}
}

func TestCheckerCacheBoundedByMaxTTLAndExp(t *testing.T) {
	for _, tc := range []struct {
		name   string
		maxTTL time.Duration
		mod    func(*statuslist.Token)
		fresh  time.Duration // still cached at this age
		stale  time.Duration // refetched at this age
	}{
		{"MaxTTL below ttl", 2 * time.Minute, nil, time.Minute, 3 * time.Minute},
		{"exp below ttl", time.Hour, func(tk *statuslist.Token) { tk.ExpiresAt = tk.IssuedAt.Add(4 * time.Minute) }, 3 * time.Minute, 5 * time.Minute},
		{"no ttl: MaxTTL", 7 * time.Minute, func(tk *statuslist.Token) { tk.TTL = 0 }, 6 * time.Minute, 8 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, srv, clk, uri := setup(t)
			// Tokens issued "now" relative to the clock whenever fetched, valid for a day.
			srv.set(signFor(t, f, uri, tc.mod), http.StatusOK)
			c := statuslist.NewChecker(statuslist.CheckerConfig{Trust: f.trust, Now: clk.Now, MaxTTL: tc.maxTTL, Skew: time.Second})
			ref := statuslist.Reference{Index: 1, URI: uri}
			if _, err := c.Status(context.Background(), ref); err != nil {
				t.Fatal(err)
			}
			clk.Add(tc.fresh)
			c.Status(context.Background(), ref)
			if srv.hits.Load() != 1 {
				t.Fatalf("refetched at %v", tc.fresh)
			}
			clk.Add(tc.stale - tc.fresh)
			c.Status(context.Background(), ref) // may fail if the token expired: the fetch is what counts
			if srv.hits.Load() != 2 {
				t.Fatalf("not refetched at %v", tc.stale)
			}
		})
	}
}

func TestCheckerFailsClosed(t *testing.T) {
	f, srv, clk, uri := setup(t)
	ctx := context.Background()
	newChecker := func(hc *http.Client) *statuslist.Checker {
		return statuslist.NewChecker(statuslist.CheckerConfig{HTTP: hc, Trust: f.trust, Now: clk.Now, MaxBytes: 64 << 10})
	}
	big := make([]byte, 65<<10)
	for i := range big {
		big[i] = 'a'
	}
	tests := []struct {
		name    string
		token   string
		status  int
		ctype   string
		ref     statuslist.Reference
		wantErr error
	}{
		{"HTTP 500", signFor(t, f, uri, nil), http.StatusInternalServerError, statuslist.MediaType, statuslist.Reference{Index: 0, URI: uri}, statuslist.ErrUnavailable},
		{"HTTP 404", signFor(t, f, uri, nil), http.StatusNotFound, statuslist.MediaType, statuslist.Reference{Index: 0, URI: uri}, statuslist.ErrUnavailable},
		{"sub mismatch", signFor(t, f, uri, func(tk *statuslist.Token) { tk.Subject = uri + "/other" }), 200, statuslist.MediaType, statuslist.Reference{Index: 0, URI: uri}, statuslist.ErrInvalidList},
		{"expired token", signFor(t, f, uri, func(tk *statuslist.Token) {
			tk.IssuedAt = f.now.Add(-2 * time.Hour)
			tk.ExpiresAt = f.now.Add(-time.Hour)
		}), 200, statuslist.MediaType, statuslist.Reference{Index: 0, URI: uri}, statuslist.ErrInvalidList},
		{"wrong content type", signFor(t, f, uri, nil), 200, "text/html", statuslist.Reference{Index: 0, URI: uri}, statuslist.ErrInvalidList},
		{"garbage body", "<html>", 200, statuslist.MediaType, statuslist.Reference{Index: 0, URI: uri}, statuslist.ErrInvalidList},
		{"oversized body", string(big), 200, statuslist.MediaType, statuslist.Reference{Index: 0, URI: uri}, statuslist.ErrInvalidList},
		{"index beyond list", signFor(t, f, uri, nil), 200, statuslist.MediaType, statuslist.Reference{Index: 4000, URI: uri}, statuslist.ErrInvalidList},
		{"negative index", signFor(t, f, uri, nil), 200, statuslist.MediaType, statuslist.Reference{Index: -1, URI: uri}, statuslist.ErrInvalidList},
		{"relative uri", signFor(t, f, uri, nil), 200, statuslist.MediaType, statuslist.Reference{Index: 0, URI: "/status/1"}, statuslist.ErrInvalidList},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.set(tc.token, tc.status)
			srv.mu.Lock()
			srv.ctype = tc.ctype
			srv.mu.Unlock()
			c := newChecker(nil)
			st, err := c.Status(ctx, tc.ref)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Status = %d, %v; want %v", st, err, tc.wantErr)
			}
			// A failed fetch is not cached: the next call fetches again.
			if errors.Is(err, statuslist.ErrUnavailable) || tc.name == "sub mismatch" || tc.name == "expired token" {
				before := srv.hits.Load()
				c.Status(ctx, tc.ref)
				if srv.hits.Load() == before {
					t.Fatal("failure was cached")
				}
			}
		})
	}

	t.Run("unreachable", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		deadURL := dead.URL + "/status/1"
		dead.Close()
		if _, err := newChecker(nil).Status(ctx, statuslist.Reference{Index: 0, URI: deadURL}); !errors.Is(err, statuslist.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		srv.set(signFor(t, f, uri, nil), 200)
		srv.mu.Lock()
		srv.ctype = statuslist.MediaType
		srv.mu.Unlock()
		release := srv.hold()
		defer release()
		c := newChecker(&http.Client{Timeout: 50 * time.Millisecond})
		if _, err := c.Status(ctx, statuslist.Reference{Index: 0, URI: uri}); !errors.Is(err, statuslist.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("caller context cancelled", func(t *testing.T) {
		release := srv.hold()
		defer release()
		cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		c := newChecker(&http.Client{Timeout: 5 * time.Second})
		if _, err := c.Status(cctx, statuslist.Reference{Index: 0, URI: uri}); !errors.Is(err, statuslist.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCheckerSingleflight(t *testing.T) {
	f, srv, clk, uri := setup(t)
	srv.set(signFor(t, f, uri, nil), http.StatusOK)
	release := srv.hold()
	c := statuslist.NewChecker(statuslist.CheckerConfig{Trust: f.trust, Now: clk.Now})
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := c.Status(context.Background(), statuslist.Reference{Index: 7 + i%2, URI: uri})
			if err == nil && st != statuslist.Invalid+uint8(i%2) {
				err = errors.New("wrong status")
			}
			errs <- err
		}()
	}
	// Release the server only once every other caller has joined the in-flight fetch.
	for statuslist.InflightWaiters(c, uri) != n-1 {
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if h := srv.hits.Load(); h != 1 {
		t.Fatalf("%d fetches for %d concurrent callers, want 1", h, n)
	}
}

func BenchmarkCheckerCached(b *testing.B) {
	f := newFixture(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	uri := srv.URL + "/s"
	tok, _ := statuslist.Sign(statuslist.Token{Subject: uri, IssuedAt: f.now, ExpiresAt: f.now.Add(time.Hour), List: f.list}, f.signer)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", statuslist.MediaType)
		w.Write([]byte(tok))
	})
	c := statuslist.NewChecker(statuslist.CheckerConfig{Trust: f.trust, Now: func() time.Time { return f.now }})
	ref := statuslist.Reference{Index: 7, URI: uri}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Status(context.Background(), ref); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCheckerRefusesPlainHTTPOffLoopback: over http an on-path attacker can replay an older,
// still unexpired list, so only loopback (development) may use it unless explicitly allowed.
// The refusal happens before any network traffic.
func TestCheckerRefusesPlainHTTPOffLoopback(t *testing.T) {
	strict := statuslist.NewChecker(statuslist.CheckerConfig{Trust: certs.NewTrustList()})
	for _, uri := range []string{"http://issuer.example/status/1", "http://10.1.2.3/status/1", "http://[2001:db8::1]/status/1"} {
		if _, err := strict.Status(context.Background(), statuslist.Reference{Index: 0, URI: uri}); !errors.Is(err, statuslist.ErrInvalidList) {
			t.Errorf("%s: err %v, want ErrInvalidList", uri, err)
		}
	}
	// Allowed: loopback over http, and any host when the operator opts in. These then fail to
	// fetch (nothing listens), which is ErrUnavailable, not a scheme refusal.
	hc := &http.Client{Timeout: 200 * time.Millisecond}
	// The opted-in checker never reaches the network: its transport refuses every dial.
	noDial := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no network in this test")
	}}}
	loose := statuslist.NewChecker(statuslist.CheckerConfig{HTTP: noDial, Trust: certs.NewTrustList(), AllowInsecureHTTP: true})
	for _, tc := range []struct {
		c   *statuslist.Checker
		uri string
	}{
		{statuslist.NewChecker(statuslist.CheckerConfig{HTTP: hc, Trust: certs.NewTrustList()}), "http://127.0.0.1:1/status/1"},
		{statuslist.NewChecker(statuslist.CheckerConfig{HTTP: hc, Trust: certs.NewTrustList()}), "http://localhost:1/status/1"},
		{loose, "http://issuer.example/status/1"},
	} {
		if _, err := tc.c.Status(context.Background(), statuslist.Reference{Index: 0, URI: tc.uri}); !errors.Is(err, statuslist.ErrUnavailable) {
			t.Errorf("%s: err %v, want ErrUnavailable", tc.uri, err)
		}
	}
}
