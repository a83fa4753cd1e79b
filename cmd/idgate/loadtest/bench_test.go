package loadtest

import (
	"net"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkBoundOp is one crypto-bound operation: 3× (SHA-256 + ECDSA P-256 verify) over
// realistic signing-input sizes and 1× P-256 ECDH.
func BenchmarkBoundOp(b *testing.B) {
	op, err := newBoundOp(SigningInputs{IssuerJWT: 1800, KBJWT: 250, BCBP: 90})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !op.run() {
			b.Fatal("verify failed")
		}
	}
}

// BenchmarkGeneratorRequest is the load generator's own cost per request: one pre-built
// 3 KiB body POSTed over a keep-alive connection to a loopback server that answers a fixed
// allow decision at once (so the time is the client, the loopback and a trivial handler).
func BenchmarkGeneratorRequest(b *testing.B) {
	answer := []byte(`{"decision":"allow","reasons":[],"checks":{"credential":"pass"}}`)
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.SetBody(answer) }}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	defer func() { _ = srv.Shutdown() }()
	body := make([]byte, 3<<10)
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = body
	}
	addr := l.Addr().String()
	l2 := &load{addr: addr, url: "http://" + addr + "/v1/gates/G/verify", bodies: bodies, connections: 1, duration: time.Hour}
	b.ReportAllocs()
	b.ResetTimer()
	if o := l2.run(); o.errors != 0 || o.n != b.N {
		b.Fatal(o.n, o.codes)
	}
}
