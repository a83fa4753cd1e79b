package issuerhttp

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/idgate/idgate/issuer"
)

// CodeRateLimited answers a request refused by Config.RateLimit (HTTP 429 with Retry-After).
// OAuth 2.0 and OpenID4VCI define no error code for it, so the wallet routes use this one in
// the issuer's usual {error, error_description, code, message} body.
const CodeRateLimited = "rate_limited"

// refusalLogEvery is how often at most the limiter's refusals are logged, as one summary line
// for all clients: a flood adds one line a minute, not one per request or per address.
const refusalLogEvery = time.Minute

// rateLimit wraps the anonymous wallet routes (Handler and mountPasskeys say which) in
// Config.RateLimit, keyed by the client: the TCP peer, or the X-Forwarded-For address a
// trusted proxy appended (Config.TrustedProxies). Without a limiter it is the identity. It
// runs before the body is read.
type rateLimit func(http.HandlerFunc) http.HandlerFunc

func (s *server) rateLimit() rateLimit {
	lim, proxies := s.cfg.RateLimit, s.cfg.TrustedProxies
	if lim == nil {
		return func(h http.HandlerFunc) http.HandlerFunc { return h }
	}
	log := &refusalLog{s: s}
	return func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			key := proxies.ClientKey(r)
			if ok, retry := lim.Allow(key); !ok {
				log.refused(key)
				w.Header().Set("Retry-After", strconv.FormatInt(retryAfterSeconds(retry), 10))
				s.writeError(w, &issuer.Error{Code: CodeRateLimited, Msg: "too many requests from this address, retry later"})
				return
			}
			h(w, r)
		}
	}
}

// retryAfterSeconds is d in whole seconds, rounded up, at least 1 (Retry-After has no
// fractions, and 0 would invite an immediate retry that is refused again).
func retryAfterSeconds(d time.Duration) int64 {
	return max(1, int64((d+time.Second-1)/time.Second))
}

// refusalLog counts refusals and logs them at most once per refusalLogEvery.
type refusalLog struct {
	s    *server
	mu   sync.Mutex
	last time.Time // when the last summary was logged
	n    int       // refusals since then
}

func (l *refusalLog) refused(key string) {
	now := l.s.svc.Now()
	l.mu.Lock()
	l.n++
	if !l.last.IsZero() && now.Sub(l.last) < refusalLogEvery {
		l.mu.Unlock()
		return
	}
	n := l.n
	l.last, l.n = now, 0
	l.mu.Unlock()
	// The client key is an address (or /64), never a body, token or credential.
	l.s.svc.Logger().Warn("rate limited", "refused", n, "latest_client", key, "window", refusalLogEvery.String())
}
