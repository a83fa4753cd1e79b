package verifier

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/internal/httpserve"
)

// NewServer returns a fasthttp server with idgate's limits: timeouts, body size, header size.
func NewServer(h fasthttp.RequestHandler) *fasthttp.Server {
	return &fasthttp.Server{
		Handler:                       h,
		Name:                          "idgate-verifier",
		ReadTimeout:                   10 * time.Second,
		WriteTimeout:                  10 * time.Second,
		IdleTimeout:                   120 * time.Second,
		MaxRequestBodySize:            MaxServerBodyBytes, // gate captures; RP routes check MaxBodyBytes themselves
		ReadBufferSize:                16 << 10,
		DisableHeaderNamesNormalizing: true,
		NoDefaultServerHeader:         true,
		Logger:                        discardLogger{}, // errors reach clients via ErrorHandler; no body bytes in logs
		// Errors fasthttp meets before our handler (body over the limit, malformed HTTP) are
		// rendered in the same {code, message} shape as everything else.
		ErrorHandler: func(ctx *fasthttp.RequestCtx, err error) {
			if errors.Is(err, fasthttp.ErrBodyTooLarge) {
				writeErr(ctx, &Error{Code: "body_too_large", Msg: "request body too large"})
				return
			}
			writeErr(ctx, &Error{Code: "invalid_request", Msg: "malformed HTTP request"})
		},
	}
}

// Serve runs srv on l until ctx ends, then shuts down gracefully (in-flight requests finish).
func Serve(ctx context.Context, srv *fasthttp.Server, l net.Listener) error {
	return httpserve.Run(ctx, l, srv.Serve, srv.ShutdownWithContext)
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
