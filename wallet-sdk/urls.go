package walletsdk

import (
	"errors"
	"net"
	"net/url"
)

// parseHTTPURL accepts absolute http(s) URLs with a host.
func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, errors.New("want an absolute http(s) URL without userinfo")
	}
	return u, nil
}

// checkIssuerID checks an OpenID4VCI/RFC 8414 identifier: http(s) URL, no query or fragment.
func checkIssuerID(s string) error {
	u, err := parseHTTPURL(s)
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return errors.New("identifier must not have a query or fragment")
	}
	return nil
}

// allowedURL is the transport policy: https always; plain http only to loopback hosts (tests,
// a local demo) unless the app opted in with Config.AllowInsecureHTTP.
func allowedURL(s string, allowHTTP bool) error {
	u, err := parseHTTPURL(s)
	if err != nil {
		return err
	}
	if u.Scheme == "https" || allowHTTP {
		return nil
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("plain http is only allowed to loopback hosts")
}

// wellKnown appends a well-known suffix to an identifier, the form the idgate issuer serves
// (identical to RFC 8615 insertion for identifiers without a path).
func wellKnown(id, suffix string) string {
	for len(id) > 0 && id[len(id)-1] == '/' {
		id = id[:len(id)-1]
	}
	return id + "/.well-known/" + suffix
}
