package issuer

import (
	"strings"
	"testing"
	"time"
)

func TestNonceStore(t *testing.T) {
	now := time.Now()
	n := newNonceStore(time.Minute)
	a := n.issue(now)
	if !n.consume(a, now) {
		t.Fatal("fresh nonce refused")
	}
	if n.consume(a, now) {
		t.Fatal("nonce accepted twice")
	}
	b := n.issue(now)
	if n.consume(b, now.Add(2*time.Minute)) {
		t.Fatal("expired nonce accepted")
	}
	other := newNonceStore(time.Minute)
	if other.consume(n.issue(now), now) {
		t.Fatal("nonce of another process (key) accepted")
	}
	c := n.issue(now)
	forged := c[:len(c)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(c, "AA")]
	for _, bad := range []string{"", "x", forged, c + "A", strings.Repeat("A", len(c))} {
		if n.consume(bad, now) {
			t.Fatalf("forged nonce %q accepted", bad)
		}
	}
	// Issuing keeps no state: a flood of nonce requests leaves the used set empty.
	for i := 0; i < 10_000; i++ {
		n.issue(now)
	}
	if len(n.used) != 1 {
		t.Fatalf("used set has %d entries, want only the one consumed", len(n.used))
	}
}

// TestNonceOneSpelling: a used nonce cannot be used again under another spelling of its bytes
// (a CR or LF the base64 decoder would skip, other unused trailing bits).
func TestNonceOneSpelling(t *testing.T) {
	now := time.Now()
	n := newNonceStore(time.Minute)
	c := n.issue(now)
	if !n.consume(c, now) {
		t.Fatal("fresh nonce refused")
	}
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", c[len(c)-1])
	bits := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last^1]
	for _, again := range []string{c + "\n", c[:5] + "\r\n" + c[5:], c[:len(c)-1] + string(bits)} {
		if n.consume(again, now) {
			t.Errorf("used nonce accepted again as %q", again)
		}
	}
}
