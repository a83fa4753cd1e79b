package verifier

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/internal/ratelimit"
)

// RefusalLog logs the requests the verifier refuses for load: the per-client rate limit and
// the request store's bounds (per client, per network, full). A flood must not fill the logs
// either, so it writes at most one line per interval, carrying how many refusals that line
// stands for. A line names the client's network (ratelimit.NetworkOf: an IPv4 /24, an IPv6
// /48), never its address or anything from the request.
type RefusalLog struct {
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	mu      sync.Mutex
	next    time.Time // no line before this
	pending int       // refusals not yet reported
}

// NewRefusalLog writes to log at most one line per every (at least a second).
func NewRefusalLog(log *slog.Logger, every time.Duration) *RefusalLog {
	return &RefusalLog{log: log, every: max(every, time.Second), now: time.Now}
}

// Refused records one refusal of client for reason (an error code the client was answered);
// a nil RefusalLog records nothing.
func (r *RefusalLog) Refused(reason, client string) {
	if r == nil || r.log == nil {
		return
	}
	r.mu.Lock()
	r.pending++
	now := r.now()
	if now.Before(r.next) {
		r.mu.Unlock()
		return
	}
	n := r.pending
	r.pending, r.next = 0, now.Add(r.every)
	r.mu.Unlock()
	r.log.Warn("requests refused for load", "reason", reason, "network", ratelimit.NetworkOf(client), "refused", n, "per", r.every.String())
}

// refusedForLoad records a refusal the route answered with 429 or 503.
func (a *API) refusedForLoad(ctx *fasthttp.RequestCtx, client string) {
	switch ctx.Response.StatusCode() {
	case http.StatusTooManyRequests:
		a.Refusals.Refused("too_many_open_requests", client)
	case http.StatusServiceUnavailable:
		a.Refusals.Refused("overloaded", client)
	}
}
