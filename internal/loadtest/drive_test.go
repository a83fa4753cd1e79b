package loadtest

import (
	"errors"
	"testing"

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
			var r fasthttp.Response
			r.SetStatusCode(tc.status)
			r.SetBodyString(tc.body)
			if got := classify(tc.err, &r); got != tc.want {
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
