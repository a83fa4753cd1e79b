package statuslist

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/idgate/idgate/certs"
)

// Reference is a credential's status.status_list claim (draft §6.2).
type Reference struct {
	Index int    `json:"idx"`
	URI   string `json:"uri"`
}

// CheckerConfig configures a Checker. Zero values take the documented defaults.
type CheckerConfig struct {
	HTTP     *http.Client     // default: a client with a 10 s timeout
	Trust    *certs.TrustList // required: anchors for certs.PurposeStatusList
	Now      func() time.Time // default time.Now
	MaxTTL   time.Duration    // longest a list is cached whatever its ttl says; default 5 min
	Skew     time.Duration    // clock skew tolerated on iat/exp; default DefaultSkew
	MaxBytes int64            // largest token accepted; default 8 MiB
	// AllowInsecureHTTP permits plain-http status list URIs on any host. Without it, http is
	// refused except on loopback (development): over http, anyone on the path can replay an
	// older, still unexpired list and hide a revocation.
	AllowInsecureHTTP bool
}

const (
	defaultMaxTTL   = 5 * time.Minute
	defaultMaxBytes = 8 << 20
	defaultTimeout  = 10 * time.Second
	// maxCachedLists bounds the cache: a verifier follows a handful of issuers' lists.
	maxCachedLists = 1024
)

// Checker answers status entries for relying parties: it fetches, verifies and caches status
// list tokens per URI. It is safe for concurrent use.
type Checker struct {
	cfg CheckerConfig

	mu       sync.Mutex
	cache    map[string]cached
	inflight map[string]*call
}

type cached struct {
	tok   *Token
	until time.Time
}

// call is one in-flight fetch shared by every concurrent caller for the same URI.
type call struct {
	done    chan struct{}
	tok     *Token
	until   time.Time
	err     error
	waiters int // callers that joined after the first (observable by tests)
}

// NewChecker builds a Checker; see CheckerConfig for defaults.
func NewChecker(cfg CheckerConfig) *Checker {
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: defaultTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxTTL <= 0 {
		cfg.MaxTTL = defaultMaxTTL
	}
	if cfg.Skew <= 0 {
		cfg.Skew = DefaultSkew
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = defaultMaxBytes
	}
	return &Checker{cfg: cfg, cache: map[string]cached{}, inflight: map[string]*call{}}
}

// Status returns the status of entry ref.Index of the list at ref.URI. The list token is
// fetched (GET, Accept: application/statuslist+jwt), verified, checked to have sub == ref.URI,
// and cached until min(exp, fetch+ttl, fetch+MaxTTL). Concurrent callers for one URI share a
// single fetch. A list that cannot be fetched is ErrUnavailable and one that does not verify is
// ErrInvalidList: neither ever yields a status.
func (c *Checker) Status(ctx context.Context, ref Reference) (uint8, error) {
	if ref.Index < 0 {
		return 0, newErr(ErrInvalidList, nil, "negative index %d", ref.Index)
	}
	u, err := url.Parse(ref.URI)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return 0, newErr(ErrInvalidList, err, "status list URI %q is not an absolute http(s) URL", ref.URI)
	}
	if u.Scheme == "http" && !c.cfg.AllowInsecureHTTP && !loopback(u.Hostname()) {
		return 0, newErr(ErrInvalidList, nil, "status list URI %q is plain http on a non-loopback host", ref.URI)
	}
	tok, err := c.token(ctx, ref.URI)
	if err != nil {
		return 0, err
	}
	v, err := tok.List.Get(ref.Index)
	if err != nil {
		return 0, newErr(ErrInvalidList, err, "index %d beyond list of %d", ref.Index, tok.List.Len())
	}
	return v, nil
}

// Invalidate drops the cached list for uri, so the next Status fetches it again.
func (c *Checker) Invalidate(uri string) {
	c.mu.Lock()
	delete(c.cache, uri)
	c.mu.Unlock()
}

func (c *Checker) token(ctx context.Context, uri string) (*Token, error) {
	c.mu.Lock()
	if e, ok := c.cache[uri]; ok {
		if c.cfg.Now().Before(e.until) {
			c.mu.Unlock()
			return e.tok, nil
		}
		delete(c.cache, uri)
	}
	cl, joined := c.inflight[uri]
	if joined {
		cl.waiters++
	} else {
		cl = &call{done: make(chan struct{})}
		c.inflight[uri] = cl
	}
	c.mu.Unlock()

	if !joined {
		// Detached from the first caller's context so its cancellation does not fail the
		// others; the HTTP client's timeout bounds the fetch.
		go c.run(context.WithoutCancel(ctx), uri, cl)
	}
	select {
	case <-cl.done:
		return cl.tok, cl.err
	case <-ctx.Done():
		return nil, newErr(ErrUnavailable, ctx.Err(), "waiting for %s", uri)
	}
}

func (c *Checker) run(ctx context.Context, uri string, cl *call) {
	cl.tok, cl.until, cl.err = c.fetch(ctx, uri)
	c.mu.Lock()
	delete(c.inflight, uri)
	if cl.err == nil {
		if len(c.cache) >= maxCachedLists {
			c.evictLocked()
		}
		c.cache[uri] = cached{tok: cl.tok, until: cl.until}
	}
	c.mu.Unlock()
	close(cl.done)
}

// evictLocked drops expired lists, or an arbitrary one if none has expired.
func (c *Checker) evictLocked() {
	now := c.cfg.Now()
	for uri, e := range c.cache {
		if !now.Before(e.until) {
			delete(c.cache, uri)
		}
	}
	for uri := range c.cache {
		if len(c.cache) < maxCachedLists {
			break
		}
		delete(c.cache, uri)
	}
}

func (c *Checker) fetch(ctx context.Context, uri string) (*Token, time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, time.Time{}, newErr(ErrInvalidList, err, "request for %s", uri)
	}
	req.Header.Set("Accept", MediaType)
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return nil, time.Time{}, newErr(ErrUnavailable, err, "GET %s", uri)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, time.Time{}, newErr(ErrUnavailable, nil, "GET %s: HTTP %d", uri, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !mediaTypeIs(ct) {
		return nil, time.Time{}, newErr(ErrInvalidList, nil, "GET %s: Content-Type %q, want %s", uri, ct, MediaType)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBytes+1))
	if err != nil {
		return nil, time.Time{}, newErr(ErrUnavailable, err, "reading %s", uri)
	}
	if int64(len(body)) > c.cfg.MaxBytes {
		return nil, time.Time{}, newErr(ErrInvalidList, nil, "%s: token larger than %d bytes", uri, c.cfg.MaxBytes)
	}
	fetched := c.cfg.Now()
	tok, err := verify(body, c.cfg.Trust, fetched, c.cfg.Skew)
	if err != nil {
		return nil, time.Time{}, err
	}
	if tok.Subject != uri {
		return nil, time.Time{}, newErr(ErrInvalidList, nil, "token sub %q does not match %q", tok.Subject, uri)
	}
	until := fetched.Add(c.cfg.MaxTTL)
	if tok.TTL > 0 && fetched.Add(tok.TTL).Before(until) {
		until = fetched.Add(tok.TTL)
	}
	if !tok.ExpiresAt.IsZero() && tok.ExpiresAt.Before(until) {
		until = tok.ExpiresAt
	}
	return tok, until, nil
}

// loopback reports whether host names this machine (development set-ups serve lists there).
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
