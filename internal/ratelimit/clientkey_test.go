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

func TestParseProxies(t *testing.T) {
	p, err := ParseProxies(" 10.0.0.0/8, 127.0.0.1 ,fd00::/8,::ffff:192.0.2.7,::ffff:10.1.0.0/112")
	if err != nil || len(p) != 5 || p[1].Bits() != 32 || p[3].String() != "192.0.2.7/32" || p[4].String() != "10.1.0.0/16" {
		t.Fatalf("ParseProxies: %v %v", p, err)
	}
	if p, err := ParseProxies(""); err != nil || p != nil {
		t.Fatalf("empty: %v %v", p, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "fe80::1%eth0", "10.0.0.1:80", "::ffff:0.0.0.0/95"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("ParseProxies(%q) accepted", bad)
		}
	}
}

// TestProxiesClientKey: behind trusted proxies the client is the rightmost X-Forwarded-For
// address that is not a proxy; whatever the client wrote to the left of it is not believed, and
// a peer that is not a trusted proxy is keyed itself whatever it forwards.
func TestProxiesClientKey(t *testing.T) {
	p, err := ParseProxies("10.0.0.0/8, 2001:db8:ffff::/48")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"proxy forwards the client", "10.0.0.5:443", []string{"198.51.100.7"}, "198.51.100.7"},
		{"client's own header is not believed", "10.0.0.5:443", []string{"1.2.3.4, 198.51.100.7"}, "198.51.100.7"},
		{"two proxies", "10.0.0.5:443", []string{"198.51.100.7, 10.1.1.1"}, "198.51.100.7"},
		{"header split over lines", "10.0.0.5:443", []string{"1.2.3.4", "198.51.100.7, 10.1.1.1"}, "198.51.100.7"},
		{"IPv6 client by /64", "[2001:db8:ffff::1]:443", []string{"2001:db8:5:6::9"}, "2001:db8:5:6::/64"},
		{"bracketed and mapped", "10.0.0.5:443", []string{"[::ffff:198.51.100.7]"}, "198.51.100.7"},
		{"no header: the proxy itself", "10.0.0.5:443", nil, "10.0.0.5"},
		{"malformed rightmost entry: the proxy", "10.0.0.5:443", []string{"198.51.100.7, garbage"}, "10.0.0.5"},
		{"only proxies forwarded: the proxy", "10.0.0.5:443", []string{"10.2.2.2, 10.3.3.3"}, "10.0.0.5"},
		{"untrusted peer's header ignored", "203.0.113.9:5555", []string{"198.51.100.7"}, "203.0.113.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/token", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := p.ClientKey(r); got != tc.want {
				t.Fatalf("ClientKey = %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzClientKey: any RemoteAddr and X-Forwarded-For yield a short key without panicking, and a
// key is stable; with no trusted proxies the header never matters.
func FuzzClientKey(f *testing.F) {
	for _, s := range []string{"192.0.2.1:1234", "[2001:db8::1]:443", "[::ffff:192.0.2.1]:1", "[fe80::1%eth0]:80", "", "@", "x:y:z", "10.0.0.5:443"} {
		f.Add(s, "198.51.100.7, 10.1.1.1")
	}
	trusted, _ := ParseProxies("10.0.0.0/8")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		plain := ClientKey(r)
		r.Header.Set("X-Forwarded-For", xff)
		if ClientKey(r) != plain {
			t.Fatal("X-Forwarded-For changed the key without trusted proxies")
		}
		k := trusted.ClientKey(r)
		if len(k) > len("ffff:ffff:ffff:ffff::/64") || len(plain) > len("ffff:ffff:ffff:ffff::/64") {
			t.Fatalf("key %q / %q too long", k, plain)
		}
		if k != trusted.ClientKey(r) {
			t.Fatal("unstable key")
		}
	})
}
