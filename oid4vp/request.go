package oid4vp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"strings"
)

// Client identifier prefixes (§5.9.3) idgate signs and accepts.
const (
	PrefixX509SanDNS = "x509_san_dns"
	PrefixX509Hash   = "x509_hash"
)

// SelfIssuedAudience is the Request Object aud for wallets discovered statically (§5.8).
const SelfIssuedAudience = "https://self-issued.me/v2"

// RequestObjectType is the JOSE typ of a signed Request Object (§5.10, RFC 9101).
const RequestObjectType = "oauth-authz-req+jwt"

// X509SanDNSClientID is the client_id for a verifier identified by a SAN dNSName.
func X509SanDNSClientID(dns string) string { return PrefixX509SanDNS + ":" + dns }

// X509HashClientID is the client_id for a verifier identified by its leaf certificate:
// base64url (no padding) of SHA-256 over the DER (§5.9.3, required by HAIP).
func X509HashClientID(leaf *x509.Certificate) string {
	h := sha256.Sum256(leaf.Raw)
	return PrefixX509Hash + ":" + base64.RawURLEncoding.EncodeToString(h[:])
}

// SplitClientID splits a client_id at its first ':' into prefix and value; a client_id
// without ':' is a pre-registered client (prefix "").
func SplitClientID(id string) (prefix, value string) {
	if i := strings.IndexByte(id, ':'); i >= 0 {
		return id[:i], id[i+1:]
	}
	return "", id
}

// NewNonce returns 256 random bits, base64url: within nonce's charset [A-Za-z0-9-._~].
func NewNonce() string {
	var b [32]byte
	rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// RequestObject is the signed Authorization Request (§5, §5.10) idgate's verifier issues.
type RequestObject struct {
	ClientID       string          `json:"client_id"`
	ResponseType   string          `json:"response_type"`
	ResponseMode   string          `json:"response_mode"`
	ResponseURI    string          `json:"response_uri"`
	Nonce          string          `json:"nonce"`
	State          string          `json:"state,omitempty"`
	DCQLQuery      *Query          `json:"dcql_query"`
	ClientMetadata *ClientMetadata `json:"client_metadata,omitempty"`
	WalletNonce    string          `json:"wallet_nonce,omitempty"`
	Audience       string          `json:"aud"`
	IssuedAt       int64           `json:"iat"`
	ExpiresAt      int64           `json:"exp"`
}

// ClientMetadata is the verifier metadata a request carries (§5.1, §11).
type ClientMetadata struct {
	JWKS                                *JWKS          `json:"jwks,omitempty"`
	EncryptedResponseEncValuesSupported []string       `json:"encrypted_response_enc_values_supported,omitempty"`
	VPFormatsSupported                  map[string]any `json:"vp_formats_supported"`
}

// JWKS is a JSON Web Key Set of response encryption keys.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// DefaultVPFormats are the formats and algorithms idgate's verifier accepts (B.3.4, B.2.2):
// mdoc algorithms are COSE identifiers, ES256 (-7) and its fully specified ESP256 (-9).
func DefaultVPFormats() map[string]any {
	return map[string]any{
		FormatSDJWT: map[string]any{"sd-jwt_alg_values": []string{"ES256"}, "kb-jwt_alg_values": []string{"ES256"}},
		FormatMDoc:  map[string]any{"issuerauth_alg_values": []int{-7, -9}, "deviceauth_alg_values": []int{-7, -9}},
	}
}

// NewClientMetadata publishes key for direct_post.jwt with both HAIP content encryptions.
func NewClientMetadata(key *EncryptionKey) *ClientMetadata {
	cm := &ClientMetadata{VPFormatsSupported: DefaultVPFormats()}
	if key != nil {
		cm.JWKS = &JWKS{Keys: []JWK{key.PublicJWK()}}
		cm.EncryptedResponseEncValuesSupported = SupportedEncs
	}
	return cm
}

// AuthorizationURL is the cross-device link a QR code carries (§5.7, §5.10):
// openid4vp://?client_id=…&request_uri=…, plus request_uri_method=post when method is "post".
func AuthorizationURL(clientID, requestURI, method string) string {
	v := url.Values{"client_id": {clientID}, "request_uri": {requestURI}}
	if method == "post" {
		v.Set("request_uri_method", "post")
	}
	return "openid4vp://?" + v.Encode()
}

// AuthorizationLink is a parsed openid4vp:// link.
type AuthorizationLink struct {
	ClientID         string
	RequestURI       string
	RequestURIMethod string // "get" or "post"
}

// ParseAuthorizationURL parses an openid4vp:// (or haip-vp://) link that passes its request by
// reference. A request by value, an unknown request_uri_method (it is case-sensitive) or a
// non-http(s) request_uri is an *Error.
func ParseAuthorizationURL(s string) (*AuthorizationLink, error) {
	if len(s) > 8<<10 {
		return nil, errorf(InvalidRequest, ReasonMalformedRequest, "link longer than 8 KiB")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, wrapf(InvalidRequest, ReasonMalformedRequest, err, "link")
	}
	if u.Scheme != "openid4vp" && u.Scheme != "haip-vp" {
		return nil, errorf(InvalidRequest, ReasonMalformedRequest, "link scheme %q is not openid4vp", safeName(u.Scheme))
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, wrapf(InvalidRequest, ReasonMalformedRequest, err, "link query")
	}
	for k, v := range q {
		if len(v) != 1 {
			return nil, errorf(InvalidRequest, ReasonMalformedRequest, "link parameter %s repeated", safeName(k))
		}
	}
	if q.Get("request") != "" {
		return nil, errorf(InvalidRequest, ReasonMalformedRequest, "requests by value are not accepted; use request_uri")
	}
	l := &AuthorizationLink{ClientID: q.Get("client_id"), RequestURI: q.Get("request_uri"), RequestURIMethod: "get"}
	if l.ClientID == "" || l.RequestURI == "" {
		return nil, errorf(InvalidRequest, ReasonMalformedRequest, "link needs client_id and request_uri")
	}
	if m, ok := q["request_uri_method"]; ok {
		if m[0] != "get" && m[0] != "post" {
			return nil, errorf(InvalidRequestURIMethod, ReasonMalformedRequest, "request_uri_method must be get or post")
		}
		l.RequestURIMethod = m[0]
	}
	ru, err := url.Parse(l.RequestURI)
	if err != nil || (ru.Scheme != "https" && ru.Scheme != "http") || ru.Host == "" {
		return nil, errorf(InvalidRequestURI, ReasonMalformedRequest, "request_uri must be an absolute http(s) URL")
	}
	return l, nil
}
