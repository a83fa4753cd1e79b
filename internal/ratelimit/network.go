package ratelimit

import "net/netip"

// NetworkOf is the network a client key (Proxies.Key) belongs to: the /24 of an IPv4 address,
// the /48 of an IPv6 /64. One operator usually holds a whole such network, so a bound per
// network makes a flood from many addresses of it count once; the prefix is also all a log
// line needs to say about the client. A key that is not an address is its own network.
func NetworkOf(key string) string {
	if a, err := netip.ParseAddr(key); err == nil && a.Is4() {
		return netip.PrefixFrom(a, 24).Masked().String()
	}
	if p, err := netip.ParsePrefix(key); err == nil && p.Addr().Is6() && p.Bits() >= 48 {
		return netip.PrefixFrom(p.Addr(), 48).Masked().String()
	}
	return key
}
