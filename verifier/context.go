package verifier

import (
	"context"
	"time"

	"github.com/valyala/fasthttp"
)

// requestContext is the context a handler hands to the domain (gate, relying party, OpenID4VP):
// done when the server shuts down, so a status-list fetch or a store write in flight stops
// then (fasthttp cannot tell when a client went away). It keeps no reference to the
// *fasthttp.RequestCtx, which fasthttp reuses once the handler returns: work detached from the
// request (a status-list fetch shared by several requests) may outlive it safely.
func requestContext(rc *fasthttp.RequestCtx) context.Context {
	return shutdownContext{done: rc.Done()}
}

// shutdownContext is done when done closes; it has no deadline and carries no values.
type shutdownContext struct{ done <-chan struct{} }

func (shutdownContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c shutdownContext) Done() <-chan struct{}     { return c.done }
func (shutdownContext) Value(any) any               { return nil }

func (c shutdownContext) Err() error {
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}
