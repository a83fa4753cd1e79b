package loadtest

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		body   string
		want   string
	}{
		{"allow", nil, 200, `{"decision":"allow","reasons":[],"checks":{}}`, ""},
		{"deny", nil, 403, `{"decision":"deny","reasons":["nonce_invalid","face_mismatch"]}`, "403:nonce_invalid"},
		{"200 but deny", nil, 200, `{"decision":"deny","reasons":[]}`, "200:deny"},
		{"error body", nil, 401, `{"code":"unauthorized","message":"x"}`, "401:unauthorized"},
		{"garbage", nil, 500, `<html>`, "500:unreadable"},
		{"empty json", nil, 502, `{}`, "502:unknown"},
		{"transport", errors.New("connection reset"), 0, "", "transport:connection reset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.err, tc.status, []byte(tc.body), allow); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzFirstReason(f *testing.F) {
	f.Add([]byte(`{"decision":"deny","reasons":["already_boarded"]}`))
	f.Add([]byte(`{"code":"body_too_large","message":"request body too large"}`))
	f.Add([]byte(`{"decision":"allow","reasons":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if r := firstReason(body); r == "" || len(r) > 64 {
			t.Fatalf("reason %q: want 1..64 bytes", r)
		}
	})
}

// TestLoadBoundsErrorCodes: a server inventing a new reason per request fills at most
// maxErrorCodes entries; the rest are counted under "other", and every one is an error.
func TestLoadBoundsErrorCodes(t *testing.T) {
	n := 0
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		n++ // one connection: requests arrive one at a time
		ctx.SetStatusCode(403)
		ctx.SetBodyString(fmt.Sprintf(`{"decision":"deny","reasons":["r%d"]}`, n))
	}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	defer func() { _ = srv.Shutdown() }()
	bodies := make([][]byte, 50)
	for i := range bodies {
		bodies[i] = []byte(`{}`)
	}
	addr := l.Addr().String()
	o := (&load{addr: addr, url: "http://" + addr + "/x", bodies: bodies, connections: 1, duration: time.Minute}).run()
	if o.n != 50 || o.errors != 50 || len(o.codes) != maxErrorCodes+1 || o.codes["other"] != 50-maxErrorCodes {
		t.Fatalf("sent %d, errors %d, %d codes, other %d", o.n, o.errors, len(o.codes), o.codes["other"])
	}
}
