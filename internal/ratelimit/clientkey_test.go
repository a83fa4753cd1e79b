package ratelimit

import (
	"net/http/httptest"
	"testing"
)

func TestClientKey(t *testing.T) {
	for _, tc := range []struct {
		remote, want string
	}{
		{"192.0.2.1:1234", "192.0.2.1"},
		{"192.0.2.1:1", "192.0.2.1"}, // the port never splits a client
		{"192.0.2.1", "192.0.2.1"},   // no port
		{"[::ffff:192.0.2.1]:443", "192.0.2.1"},
		{"[::ffff:c000:0201]:443", "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff:ffff:ffff:ffff]:1", "2001:db8:1:2::/64"}, // same /64
		{"[2001:db8:1:3::1]:1", "2001:db8:1:3::/64"},                  // next /64 differs
		{"[fe80::1%eth0]:80", "fe80::/64"},                            // zone dropped
		{"[::1]:80", "::/64"},
		{"2001:db8::1", "2001:db8::/64"},
		{"", UnknownKey},
		{"@", UnknownKey},
		{"not-an-ip:80", UnknownKey},
		{"localhost:80", UnknownKey}, // never resolved
		{"[::1%]:80", UnknownKey},
		{"300.1.1.1:80", UnknownKey},
	} {
		t.Run(tc.remote, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/token", nil)
			r.RemoteAddr = tc.remote
			if got := ClientKey(r); got != tc.want {
				t.Fatalf("ClientKey(%q) = %q, want %q", tc.remote, got, tc.want)
			}
		})
	}
}

// TestClientKeyIgnoresForwardingHeaders: a client cannot pick its own bucket.
func TestClientKeyIgnoresForwardingHeaders(t *testing.T) {
	r := httptest.NewRequest("POST", "/token", nil)
	r.RemoteAddr = "203.0.113.9:5555"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	r.Header.Set("X-Real-IP", "198.51.100.2")
	r.Header.Set("Forwarded", "for=198.51.100.3")
	if got := ClientKey(r); got != "203.0.113.9" {
		t.Fatalf("ClientKey = %q, want the peer 203.0.113.9", got)
	}
}

// FuzzClientKey: any RemoteAddr yields a short key without panicking, and a key is stable.
func FuzzClientKey(f *testing.F) {
	for _, s := range []string{"192.0.2.1:1234", "[2001:db8::1]:443", "[::ffff:192.0.2.1]:1", "[fe80::1%eth0]:80", "", "@", "x:y:z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, remote string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		k := ClientKey(r)
		if len(k) > len("ffff:ffff:ffff:ffff::/64") {
			t.Fatalf("key %q too long", k)
		}
		if k != ClientKey(r) {
			t.Fatal("unstable key")
		}
	})
}
