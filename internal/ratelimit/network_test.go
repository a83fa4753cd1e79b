package ratelimit

import "testing"

func TestNetworkOf(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"203.0.113.7", "203.0.113.0/24"},
		{"203.0.113.250", "203.0.113.0/24"},
		{"2001:db8:aa:bb::/64", "2001:db8:aa::/48"},
		{"2001:db8:aa:cc::/64", "2001:db8:aa::/48"},
		{UnknownKey, UnknownKey},
		{"", ""},
		{"::/0", "::/0"},
	} {
		if got := NetworkOf(tc.key); got != tc.want {
			t.Errorf("NetworkOf(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
	// What Key returns maps to the network it is in.
	if got := NetworkOf(Proxies(nil).Key("[2001:db8:1:2:3::9]:443", nil)); got != "2001:db8:1::/48" {
		t.Errorf("IPv6 peer: %q", got)
	}
	if got := NetworkOf(Proxies(nil).Key("198.51.100.9:5000", nil)); got != "198.51.100.0/24" {
		t.Errorf("IPv4 peer: %q", got)
	}
}
