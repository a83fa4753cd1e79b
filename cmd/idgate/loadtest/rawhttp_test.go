package loadtest

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func TestReadHead(t *testing.T) {
	for _, tc := range []struct {
		name         string
		in           string
		status, size int
		ok           bool
	}{
		{"fasthttp answer", "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n", 200, 12, true},
		{"no reason phrase", "HTTP/1.1 403\r\ncontent-length: 0\r\n\r\n", 403, 0, true},
		{"bare LF", "HTTP/1.1 404 Not Found\nContent-Length: 3\n\n", 404, 3, true},
		{"no length", "HTTP/1.1 200 OK\r\n\r\n", 0, 0, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 0, 0, false},
		{"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, 0, false},
		{"huge length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n", 0, 0, false},
		{"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 0, 0, false},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n", 0, 0, false},
		{"bad code", "HTTP/1.1 2x0 OK\r\nContent-Length: 3\r\n\r\n", 0, 0, false},
		{"header without colon", "HTTP/1.1 200 OK\r\nbroken\r\nContent-Length: 3\r\n\r\n", 0, 0, false},
		{"truncated", "HTTP/1.1 200 OK\r\nContent-Len", 0, 0, false},
		{"headers too long", "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", 2000) + "Content-Length: 1\r\n\r\n", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, size, err := readHead(bufio.NewReaderSize(strings.NewReader(tc.in), 8<<10))
			if (err == nil) != tc.ok || status != tc.status || size != tc.size {
				t.Fatalf("status %d size %d err %v; want %d %d ok=%v", status, size, err, tc.status, tc.size, tc.ok)
			}
		})
	}
}

func FuzzReadHead(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		status, size, err := readHead(bufio.NewReaderSize(strings.NewReader(string(in)), 8<<10))
		if err == nil && (status < 100 || status > 999 || size < 0 || size > maxResponseBytes) {
			t.Fatalf("accepted status %d size %d", status, size)
		}
	})
}

// TestRawConnAgainstFasthttp: requests reach a real fasthttp server with method, path, token
// and body intact, and the answers (several on one keep-alive connection) are read back.
func TestRawConnAgainstFasthttp(t *testing.T) {
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		if !ctx.IsPost() || string(ctx.Path()) != "/v1/gates/G1/verify" ||
			string(ctx.Request.Header.Peek("Authorization")) != "Bearer tok" ||
			string(ctx.Request.Header.ContentType()) != "application/json" {
			ctx.SetStatusCode(400)
			return
		}
		ctx.SetStatusCode(201)
		ctx.SetBody(append([]byte("echo:"), ctx.PostBody()...))
	}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	defer func() { _ = srv.Shutdown() }()
	addr := l.Addr().String()
	c, err := dialRaw(addr, "http://"+addr+"/v1/gates/G1/verify", "tok", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, body := range []string{`{"a":1}`, "", strings.Repeat("x", 20000)} {
		status, got, err := c.post([]byte(body))
		if err != nil || status != 201 || string(got) != "echo:"+body {
			t.Fatalf("status %d body %.40q err %v", status, got, err)
		}
	}
}
