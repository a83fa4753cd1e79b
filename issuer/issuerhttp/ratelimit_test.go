package issuerhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/idgate/idgate/issuer"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/internal/ratelimit"
	"github.com/idgate/idgate/issuer/storage/memory"
)

// limitClock is the limiter's fake clock; atomic because the test server reads it from its
// own goroutines.
type limitClock struct{ ns atomic.Int64 }

func (c *limitClock) now() time.Time {
	return time.Unix(1_800_000_000, 0).Add(time.Duration(c.ns.Load()))
}
func (c *limitClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// limitedFixture is an issuer with passkeys (public URL on localhost) whose anonymous routes
// are limited to burst requests at once and rate a second per client.
type limitedFixture struct {
	*fixture
	clock *limitClock
	hc    Config
	h     http.Handler
	logs  *bytes.Buffer
}

func newLimitedFixture(t *testing.T, rate float64, burst int, limited bool) *limitedFixture {
	t.Helper()
	lf := &limitedFixture{clock: &limitClock{}, logs: &bytes.Buffer{}}
	f := &fixture{t: t, now: time.Now().Truncate(time.Second)}
	f.srv = httptest.NewUnstartedServer(nil)
	_, port, _ := strings.Cut(f.srv.Listener.Addr().String(), ":")
	f.url = "http://localhost:" + port
	f.ca = certstest.NewCA(t)
	f.store = memory.New()
	cfg := issuer.Config{
		Store: f.store, PublicURL: f.url,
		Signers: map[credential.Type]certs.Signer{
			credential.EmployeeID:     f.ca.Issue(t, "idgate Employee ID Issuer", certstest.WithURI(f.url)),
			credential.DrivingLicence: f.ca.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(f.url)),
		},
		StatusSigner: f.ca.Issue(t, "idgate Status List Signer", certstest.WithURI(f.url)),
		Now:          func() time.Time { return f.now },
		Logger:       slog.New(slog.NewTextHandler(lf.logs, nil)),
	}
	if limited {
		lim, err := ratelimit.New(ratelimit.Config{Rate: rate, Burst: burst, MaxClients: 1000, Now: lf.clock.now})
		if err != nil {
			t.Fatal(err)
		}
		lf.hc.RateLimit = lim
	}
	svc, err := issuer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	lf.h = Handler(svc, lf.hc)
	f.srv.Config.Handler = lf.h
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	if f.token, err = svc.NewOperatorToken(context.Background(), "test-operator"); err != nil {
		t.Fatal(err)
	}
	lf.fixture = f
	return lf
}

// from serves one request in process as if sent by the TCP peer remote.
func (lf *limitedFixture) from(remote, method, path, bearer, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.RemoteAddr = remote
	if bearer != "" {
		r.Header.Set("Authorization", "Bearer "+bearer)
	}
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/json")
		if path == "/token" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	w := httptest.NewRecorder()
	lf.h.ServeHTTP(w, r)
	return w
}

// assertRateLimited checks the whole refusal: 429, Retry-After, the issuer's error body.
func assertRateLimited(t *testing.T, w *httptest.ResponseRecorder, retryAfter string) {
	t.Helper()
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d (%s), want 429", w.Code, w.Body)
	}
	if got := w.Header().Get("Retry-After"); got != retryAfter {
		t.Fatalf("Retry-After %q, want %q", got, retryAfter)
	}
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", w.Body, err)
	}
	if body["error"] != CodeRateLimited || body["code"] != CodeRateLimited || body["error_description"] == "" ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("body %v, want the issuer's error shape with %s", body, CodeRateLimited)
	}
}

// TestRateLimitLoginBeginOverHTTP: the fourth login/begin from one client is refused; another
// client is not; the first is allowed again once a token has been refilled.
func TestRateLimitLoginBeginOverHTTP(t *testing.T) {
	lf := newLimitedFixture(t, 0.5, 3, true) // a token every 2 s
	for i := range 3 {
		if st, body := lf.call("POST", "/passkey/login/begin", "", "application/json", `{}`); st != http.StatusOK {
			t.Fatalf("begin %d: %d %v", i, st, body)
		}
	}
	req, _ := http.NewRequest("POST", lf.url+"/passkey/login/begin", strings.NewReader(`{}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" || body["code"] != CodeRateLimited {
		t.Fatalf("4th begin: %d Retry-After %q %v; want 429, 2, %s", resp.StatusCode, resp.Header.Get("Retry-After"), body, CodeRateLimited)
	}
	if w := lf.from("203.0.113.5:40000", "POST", "/passkey/login/begin", "", `{}`); w.Code != http.StatusOK {
		t.Fatalf("another client: %d %s", w.Code, w.Body)
	}
	lf.clock.advance(1999 * time.Millisecond)
	if st, _ := lf.call("POST", "/passkey/login/begin", "", "application/json", `{}`); st != http.StatusTooManyRequests {
		t.Fatalf("before the refill: %d, want 429", st)
	}
	lf.clock.advance(time.Millisecond)
	if st, body := lf.call("POST", "/passkey/login/begin", "", "application/json", `{}`); st != http.StatusOK {
		t.Fatalf("after the refill: %d %v", st, body)
	}
	if st, _ := lf.call("POST", "/passkey/login/begin", "", "application/json", `{}`); st != http.StatusTooManyRequests {
		t.Fatalf("refill gave more than one token: %d", st)
	}
}

// TestRateLimitRoutes: each anonymous wallet route is limited; metadata, status lists,
// health, pages and the operator API are not, even for a client whose bucket is empty.
func TestRateLimitRoutes(t *testing.T) {
	lf := newLimitedFixture(t, 0.001, 2, true)
	// A real status list: one credential issued over HTTP (from 127.0.0.1: /token, /credential).
	lf.issueOne(t, credential.EmployeeID)
	st, cl := lf.operator("GET", "/v1/credentials", "")
	if st != http.StatusOK {
		t.Fatalf("list: %d %v", st, cl)
	}
	statusPath := "/status/" + cl["credentials"].([]any)[0].(map[string]any)["status_list"].(string)

	limited := []struct{ method, path, body string }{
		{"POST", "/token", "grant_type=x"},
		{"POST", "/nonce", ""},
		{"POST", "/credential", `{}`},
		{"POST", "/passkey/register/begin", `{"invite":"nope"}`},
		{"POST", "/passkey/register/finish", `{}`},
		{"POST", "/passkey/login/begin", `{}`},
		{"POST", "/passkey/login/finish", `{}`},
	}
	for i, rt := range limited {
		t.Run(rt.path, func(t *testing.T) {
			remote := "198.51.100." + strconv.Itoa(i+1) + ":1000"
			for range 2 {
				if w := lf.from(remote, rt.method, rt.path, "", rt.body); w.Code == http.StatusTooManyRequests {
					t.Fatalf("refused within the burst: %s", w.Body)
				}
			}
			// 1000 s per token: the retry is the rest of that, in whole seconds.
			assertRateLimited(t, lf.from(remote, rt.method, rt.path, "", rt.body), "1000")
		})
	}

	const drained = "192.0.2.77:1"
	for range 2 {
		lf.from(drained, "POST", "/nonce", "", "")
	}
	assertRateLimited(t, lf.from(drained, "POST", "/nonce", "", ""), "1000")
	open := []struct {
		method, path, bearer string
		want                 int
	}{
		{"GET", "/.well-known/openid-credential-issuer", "", http.StatusOK},
		{"GET", "/.well-known/oauth-authorization-server", "", http.StatusOK},
		{"GET", "/.well-known/jwt-vc-issuer", "", http.StatusOK},
		{"GET", statusPath, "", http.StatusOK},
		{"GET", "/healthz", "", http.StatusOK},
		{"GET", "/passkey/offers", "", http.StatusOK},
		{"GET", "/v1/audit", lf.token, http.StatusOK},
		{"GET", "/v1/credentials", lf.token, http.StatusOK},
	}
	for _, rt := range open {
		t.Run(rt.path, func(t *testing.T) {
			for i := range 10 {
				if w := lf.from(drained, rt.method, rt.path, rt.bearer, ""); w.Code != rt.want {
					t.Fatalf("request %d: %d %s, want %d", i, w.Code, w.Body, rt.want)
				}
			}
		})
	}
}

// TestRateLimitIPv6By64: addresses in one /64 share a bucket; the next /64 does not.
func TestRateLimitIPv6By64(t *testing.T) {
	lf := newLimitedFixture(t, 1, 1, true)
	if w := lf.from("[2001:db8:0:1::1]:1", "POST", "/nonce", "", ""); w.Code != http.StatusOK {
		t.Fatalf("first: %d", w.Code)
	}
	assertRateLimited(t, lf.from("[2001:db8:0:1:ffff::2]:2", "POST", "/nonce", "", ""), "1")
	if w := lf.from("[2001:db8:0:2::1]:1", "POST", "/nonce", "", ""); w.Code != http.StatusOK {
		t.Fatalf("next /64: %d", w.Code)
	}
}

// TestRateLimitCeremonyTable: a flood of anonymous login/begin calls from one client cannot
// keep a holder from signing in. Without a limiter every call is answered (ceremonies are
// sealed tokens the client carries: nothing fills up on the server); with one, the same flood
// gets three ceremonies and a holder elsewhere still signs in.
func TestRateLimitCeremonyTable(t *testing.T) {
	const flood = 10_001
	const attacker, holder = "203.0.113.66:4444", "198.51.100.20:5555"
	for _, tc := range []struct {
		name       string
		limited    bool
		wantOK     int
		holderCode int
	}{
		{"unlimited", false, flood, http.StatusOK},
		{"limited", true, 3, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lf := newLimitedFixture(t, 0.01, 3, tc.limited)
			ok := 0
			for range flood {
				switch w := lf.from(attacker, "POST", "/passkey/login/begin", "", `{}`); w.Code {
				case http.StatusOK:
					ok++
				case http.StatusTooManyRequests, http.StatusServiceUnavailable:
				default:
					t.Fatalf("flood: %d %s", w.Code, w.Body)
				}
			}
			if ok != tc.wantOK {
				t.Fatalf("%d ceremonies started by one client, want %d", ok, tc.wantOK)
			}
			if w := lf.from(holder, "POST", "/passkey/login/begin", "", `{}`); w.Code != tc.holderCode {
				t.Fatalf("holder's begin: %d %s, want %d", w.Code, w.Body, tc.holderCode)
			}
		})
	}
}

// TestRateLimitLogging: a flood is logged as one summary line a minute, without bodies.
func TestRateLimitLogging(t *testing.T) {
	lf := newLimitedFixture(t, 0.001, 1, true)
	const secret = "pre-authorized_code=SECRET-CODE-123"
	for range 500 {
		lf.from("203.0.113.1:1", "POST", "/token", "", secret)
		lf.from("203.0.113.2:1", "POST", "/token", "", secret)
	}
	if n := strings.Count(lf.logs.String(), "rate limited"); n != 1 {
		t.Fatalf("%d log lines for a flood within a minute, want 1:\n%s", n, lf.logs)
	}
	lf.now = lf.now.Add(time.Minute)
	lf.from("203.0.113.3:1", "POST", "/token", "", secret) // first request: allowed, not logged
	lf.from("203.0.113.3:1", "POST", "/token", "", secret)
	logs := lf.logs.String()
	if n := strings.Count(logs, "rate limited"); n != 2 || !strings.Contains(logs, "refused=998") {
		t.Fatalf("after a minute: want a second line counting the 998 refusals since the first:\n%s", logs)
	}
	if strings.Contains(logs, "SECRET") {
		t.Fatalf("request body logged:\n%s", logs)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int64
	}{
		{0, 1}, {time.Nanosecond, 1}, {time.Second, 1}, {time.Second + time.Nanosecond, 2},
		{2500 * time.Millisecond, 3}, {time.Hour, 3600},
	} {
		if got := retryAfterSeconds(tc.d); got != tc.want {
			t.Errorf("retryAfterSeconds(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

// TestRateLimitBehindTrustedProxy: behind a trusted proxy each wallet has its own bucket (the
// address the proxy appended to X-Forwarded-For), so one client spending its burst leaves the
// others theirs; without TrustedProxies every request through the proxy shares one bucket.
func TestRateLimitBehindTrustedProxy(t *testing.T) {
	const proxy = "10.0.0.7:443"
	send := func(lf *limitedFixture, xff string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/nonce", nil)
		r.RemoteAddr = proxy
		r.Header.Set("X-Forwarded-For", xff)
		w := httptest.NewRecorder()
		lf.h.ServeHTTP(w, r)
		return w
	}
	for _, trusted := range []bool{true, false} {
		lf := newLimitedFixture(t, 0.001, 2, true)
		if trusted {
			p, err := ratelimit.ParseProxies("10.0.0.0/8")
			if err != nil {
				t.Fatal(err)
			}
			lf.h = Handler(lf.svc, Config{RateLimit: lf.hc.RateLimit, TrustedProxies: p})
		}
		for range 2 {
			if w := send(lf, "198.51.100.1"); w.Code != http.StatusOK {
				t.Fatalf("trusted=%v: first client: %d", trusted, w.Code)
			}
		}
		assertRateLimited(t, send(lf, "198.51.100.1"), "1000")
		// A forged leftmost entry does not buy the first client a new bucket.
		if trusted {
			assertRateLimited(t, send(lf, "203.0.113.50, 198.51.100.1"), "1000")
		}
		w := send(lf, "198.51.100.2")
		if trusted && w.Code != http.StatusOK {
			t.Fatalf("another wallet behind the trusted proxy: %d, want 200", w.Code)
		}
		if !trusted {
			assertRateLimited(t, w, "1000")
		}
	}
}
