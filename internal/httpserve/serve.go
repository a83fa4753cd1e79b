// Package httpserve runs a server the way every idgate service must: read, write and idle
// timeouts, a header size limit, and a graceful shutdown when the context ends. It serves
// net/http handlers (the issuer) and, through Run, any server with Serve and a shutdown
// (the fasthttp verifier).
package httpserve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// ShutdownGrace is how long in-flight requests may take to finish after the context ends.
const ShutdownGrace = 10 * time.Second

// Serve serves h on l with idgate's limits until ctx is done, then drains gracefully.
func Serve(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	err := Run(ctx, l, srv.Serve, srv.Shutdown)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Run calls serve(l) until ctx is done, then shutdown with ShutdownGrace, and returns the
// first real error.
func Run(ctx context.Context, l net.Listener, serve func(net.Listener) error, shutdown func(context.Context) error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	if err := shutdown(sctx); err != nil {
		return err
	}
	return <-errc
}
