package ratelimit

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// UnknownKey is the one key shared by every request whose RemoteAddr is not an IP address
// (a Unix socket, a test request without one). Sharing it fails closed: such clients are
// limited together rather than not at all.
const UnknownKey = "unknown"

// ClientKey is the key of the TCP peer that sent r: its IPv4 address (IPv4-mapped IPv6
// included), or the /64 of its IPv6 address. It reads r.RemoteAddr only, never forwarding
// headers, which the client controls (see the package doc).
func ClientKey(r *http.Request) string { return Proxies(nil).ClientKey(r) }

// Proxies are the reverse proxies (TLS terminators, load balancers) whose X-Forwarded-For
// this server believes. Behind them every request's TCP peer is a proxy, so keying by the peer
// would put every client in one bucket, and one client could spend everybody's allowance.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of CIDR prefixes or single addresses
// ("10.0.0.0/8, 127.0.0.1, fd00::/8"). The empty string is no proxies.
func ParseProxies(s string) (Proxies, error) {
	var out Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			// Peers are compared unmapped, so an IPv4-mapped prefix must be too.
			if p.Addr().Is4In6() {
				if p.Bits() < 96 {
					return nil, fmt.Errorf("ratelimit: trusted proxy %q: an IPv4-mapped prefix needs at least 96 bits", f)
				}
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("ratelimit: trusted proxy %q is not an IP address or CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (p Proxies) trusts(a netip.Addr) bool {
	for _, q := range p {
		if q.Contains(a) {
			return true
		}
	}
	return false
}

// ClientKey is the key of the client behind r: the TCP peer, unless the peer is one of p. Then
// X-Forwarded-For is read from the right (the end each proxy appends to), skipping addresses
// of p, and the first other address is the client: everything left of it was written by the
// client and is not believed. A malformed entry there, or one's absence, falls back to the
// peer, so a proxy that does not forward shares one bucket rather than none.
func (p Proxies) ClientKey(r *http.Request) string {
	return p.Key(r.RemoteAddr, r.Header.Values("X-Forwarded-For"))
}

// Key is ClientKey for servers without net/http requests: remoteAddr is the TCP peer
// ("host:port"), forwarded the X-Forwarded-For field lines in the order received.
func (p Proxies) Key(remoteAddr string, forwarded []string) string {
	peer, ok := parseHost(remoteAddr, true)
	if !ok {
		return UnknownKey
	}
	if len(p) == 0 || !p.trusts(peer) {
		return key(peer)
	}
	for i := len(forwarded) - 1; i >= 0; i-- {
		entries := strings.Split(forwarded[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			a, ok := parseHost(strings.TrimSpace(entries[j]), false)
			if !ok {
				return key(peer)
			}
			if !p.trusts(a) {
				return key(a)
			}
		}
	}
	return key(peer)
}

// parseHost reads an IP address, with or without a port (brackets for IPv6 with a port); the
// zone is dropped and IPv4-mapped IPv6 unmapped.
func parseHost(s string, port bool) (netip.Addr, bool) {
	host := s
	if h, _, err := net.SplitHostPort(s); err == nil {
		host = h
	} else if !port {
		host = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// key is a client address's bucket key: the IPv4 address, or the /64 of an IPv6 address.
func key(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}
