package ratelimit

import (
	"net"
	"net/http"
	"net/netip"
)

// UnknownKey is the one key shared by every request whose RemoteAddr is not an IP address
// (a Unix socket, a test request without one). Sharing it fails closed: such clients are
// limited together rather than not at all.
const UnknownKey = "unknown"

// ClientKey is the key of the TCP peer that sent r: its IPv4 address (IPv4-mapped IPv6
// included), or the /64 of its IPv6 address. It reads r.RemoteAddr only, never forwarding
// headers, which the client controls (see the package doc).
func ClientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr // an address without a port
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return UnknownKey
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}
