package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/signal"
	"syscall"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/cmd/idgate/loadtest"
	"github.com/idgate/idgate/verifier"
)

// httpFloorServer is the hidden first argument with which loadtest runs this binary as an
// HTTP-only server: the verifier's fasthttp settings, no gate. It answers every POST with
// one fixed body of the size of a real decision, so driving it with the gate's requests
// measures what HTTP over loopback alone costs per request (Report.HTTPFloor). The body is
// not a decision (loadtest.FloorMarker, no "decision" field) and the server listens on
// loopback only: a gate terminal pointed at it by mistake reads nothing as "allow".
const httpFloorServer = "_http-floor"

func runHTTPFloor(args []string, stderr io.Writer) int {
	fs := newFlags("loadtest "+httpFloorServer, "loadtest "+httpFloorServer+" [flags]", stderr)
	listen := fs.String("listen", "127.0.0.1:0", "listen address")
	size := fs.Int("response-bytes", 300, "size of the fixed answer")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !loopbackListen(*listen) {
		fmt.Fprintf(stderr, "idgate loadtest: %s listens on loopback only, not %s\n", httpFloorServer, *listen)
		return 2
	}
	body := floorAnswer(*size)
	h := func(ctx *fasthttp.RequestCtx) {
		if !ctx.IsPost() || len(ctx.PostBody()) == 0 {
			ctx.SetStatusCode(fasthttp.StatusBadRequest)
			return
		}
		ctx.SetContentType("application/json")
		ctx.SetBody(body)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "idgate loadtest:", err)
		return 1
	}
	slog.New(slog.NewJSONHandler(stderr, nil)).Info("verifier listening", "addr", l.Addr().String())
	if err := verifier.Serve(ctx, verifier.NewServer(h), l); err != nil {
		fmt.Fprintln(stderr, "idgate loadtest:", err)
		return 1
	}
	return 0
}

// floorAnswer is loadtest.FloorMarker in a JSON object padded to n bytes (at least its own
// unpadded size).
func floorAnswer(n int) []byte {
	b := append(append([]byte(`{`), loadtest.FloorMarker...), `,"pad":"`...)
	tail := []byte(`"}`)
	if pad := n - len(b) - len(tail); pad > 0 {
		b = append(b, bytes.Repeat([]byte{'.'}, pad)...)
	}
	return append(b, tail...)
}
