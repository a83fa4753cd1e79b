package verifier

import (
	"bytes"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// clientKey is the rate-limit key of the client behind ctx: the TCP peer, or the address the
// trusted proxies forwarded (ratelimit.Proxies.Key). X-Forwarded-For is matched in any case,
// since the server does not normalise header names.
func (a *API) clientKey(ctx *fasthttp.RequestCtx) string {
	var fwd []string
	if len(a.Proxies) > 0 {
		for k, v := range ctx.Request.Header.All() {
			if bytes.EqualFold(k, []byte("X-Forwarded-For")) {
				fwd = append(fwd, string(v))
			}
		}
	}
	return a.Proxies.Key(ctx.RemoteAddr().String(), fwd)
}

// allow takes a token for client from API.Limit; a refusal is answered here: 429 rate_limited
// with Retry-After in whole seconds.
func (a *API) allow(ctx *fasthttp.RequestCtx, client string) bool {
	return a.allowWith(ctx, client, writeErr)
}

// allowWith is allow answering a refusal through write.
func (a *API) allowWith(ctx *fasthttp.RequestCtx, client string, write func(*fasthttp.RequestCtx, error)) bool {
	if a.Limit == nil {
		return true
	}
	ok, retry := a.Limit.Allow(client)
	if ok {
		return true
	}
	a.Refusals.Refused("rate_limited", client)
	ctx.Response.Header.Set("Retry-After", strconv.FormatInt(retryAfterSeconds(retry), 10))
	write(ctx, &Error{Code: "rate_limited", Msg: "too many requests from this address, retry later"})
	return false
}

// retryAfterSeconds is d in whole seconds, rounded up, at least 1.
func retryAfterSeconds(d time.Duration) int64 {
	return max(1, int64((d+time.Second-1)/time.Second))
}
