package gate

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDecodeGateRequest(t *testing.T) {
	for _, c := range []struct {
		name string
		body string
		ok   bool
	}{
		{"template", `{"presentation":"a~b~c","bcbp":"M1X","live_template":"AAAA"}`, true},
		{"jpeg", `{"presentation":"a","bcbp":"M1X","live_jpeg":"/9j/"}`, true},
		{"no live face", `{"presentation":"a","bcbp":"M1X"}`, false},
		{"both live faces", `{"presentation":"a","bcbp":"M1X","live_template":"A","live_jpeg":"/9j/"}`, false},
		{"no presentation", `{"bcbp":"M1X","live_template":"AAAA"}`, false},
		{"no bcbp", `{"presentation":"a","live_template":"AAAA"}`, false},
		{"unknown field", `{"presentation":"a","bcbp":"M1X","live_template":"A","decision":"allow"}`, false},
		{"trailing data", `{"presentation":"a","bcbp":"M1X","live_template":"A"}{}`, false},
		{"wrong type", `{"presentation":1,"bcbp":"M1X","live_template":"A"}`, false},
		{"bad base64 jpeg", `{"presentation":"a","bcbp":"M1X","live_jpeg":"***"}`, false},
		{"PNG as live_jpeg", `{"presentation":"a","bcbp":"M1X","live_jpeg":"iVBORw0KGgo="}`, false}, // gates send JPEG only
		{"GIF as live_jpeg", `{"presentation":"a","bcbp":"M1X","live_jpeg":"R0lGODlh"}`, false},
		{"nested", `{"presentation":"a","bcbp":"M1X","live_template":"A","x":[[[[[1]]]]]}`, false},
		{"null", `null`, false},
		{"empty", ``, false},
		{"oversized bcbp", `{"presentation":"a","bcbp":"` + strings.Repeat("M", 2000) + `","live_template":"A"}`, false},
		{"oversized jpeg", `{"presentation":"a","bcbp":"M","live_jpeg":"` + base64.StdEncoding.EncodeToString(make([]byte, MaxJPEGBytes+1)) + `"}`, false},
	} {
		r, err := DecodeGateRequest([]byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
		if err != nil && (r != nil || !errors.Is(err, ErrMalformed)) {
			t.Errorf("%s: error %v is not ErrMalformed", c.name, err)
		}
	}
}

func TestPeekNonce(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	kb := enc([]byte(`{"typ":"kb+jwt"}`)) + "." + enc([]byte(`{"nonce":"n-1","aud":"x"}`)) + ".sig"
	for _, c := range []struct{ in, want string }{
		{"jwt~disc~" + kb, "n-1"},
		{"jwt~disc~", ""},
		{"no tilde", ""},
		{"jwt~" + "a.!!!.c", ""},
		{"jwt~" + enc([]byte("{}")) + "." + enc([]byte(`{"nonce":7}`)) + ".s", ""},
	} {
		if got := peekNonce(c.in); got != c.want {
			t.Errorf("peekNonce(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNonces(t *testing.T) {
	n := newNonces(2)
	now := time.Now()
	a, err := n.issue("gate-A", now, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n.take("gate-B", a, now) {
		t.Fatal("nonce accepted for another scope")
	}
	if !n.take("gate-A", a, now) || n.take("gate-A", a, now) {
		t.Fatal("nonce must work exactly once")
	}
	b, _ := n.issue("gate-A", now, now.Add(time.Minute))
	if n.take("gate-A", b, now.Add(time.Minute)) {
		t.Fatal("expired nonce accepted")
	}
	// Bounded: a full store of live nonces refuses, and recovers once they expire.
	n.issue("s", now, now.Add(time.Second))
	n.issue("s", now, now.Add(time.Second))
	if _, err := n.issue("s", now, now.Add(time.Second)); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("full store: %v", err)
	}
	if _, err := n.issue("s", now.Add(2*time.Second), now.Add(time.Minute)); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
}
