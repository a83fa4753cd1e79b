package oid4vp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/internal/b64url"
)

// Trust verifies a verifier's certificate chain; *certs.TrustList implements it, and the wallet
// asks for certs.PurposeVerifier with the client_id as scope.
type Trust interface {
	Verify(p certs.Purpose, scope string, chain []*x509.Certificate, at time.Time) (*x509.Certificate, error)
}

// ValidateOptions is what a wallet knows when it checks a Request Object.
type ValidateOptions struct {
	Trust       Trust     // the wallet's trusted verifier roots; required
	ClientID    string    // the client_id of the link; required
	WalletNonce string    // sent with request_uri_method=post; then echoed in the object
	Audiences   []string  // accepted aud values; default SelfIssuedAudience
	Now         time.Time // zero: time.Now()
	Skew        time.Duration
	// AllowHTTP accepts an http response_uri on a loopback host (development and tests).
	AllowHTTP bool
}

// AuthorizationRequest is a validated Request Object with what a wallet needs to answer.
type AuthorizationRequest struct {
	*RequestObject
	Leaf *x509.Certificate // the verifier's certificate, for the consent screen
	// EncryptTo and Enc are the key and content encryption for direct_post.jwt (A256GCM
	// when the verifier lists it, as HAIP recommends).
	EncryptTo *JWK
	Enc       string
}

// Bounds on a Request Object.
const maxRequestObjectBytes = 128 << 10

// nonceCharset is §5.2's nonce alphabet.
var nonceCharset = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,256}$`)

// ValidateRequestObject checks a signed Request Object as a wallet must (§5, §5.9.3, §5.10,
// HAIP): JWS header (alg ES256, typ oauth-authz-req+jwt, x5c without the trust anchor, no
// crit), the signature with the leaf key, the chain to the wallet's verifier roots, client_id
// equal to the link's, x509_san_dns equal to a SAN dNSName of the leaf and to the response_uri
// host, x509_hash equal to the leaf's hash, aud, exp/iat, wallet_nonce, response_type
// vp_token, response_mode direct_post(.jwt) with a response_uri and no redirect_uri, the
// nonce's syntax, the DCQL query, and for direct_post.jwt a usable ECDH-ES P-256 key.
func ValidateRequestObject(jwt string, opts ValidateOptions) (*AuthorizationRequest, error) {
	if opts.Trust == nil || opts.ClientID == "" {
		return nil, errorf(InvalidRequest, "", "ValidateOptions needs Trust and ClientID")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	skew := opts.Skew
	if skew == 0 {
		skew = time.Minute
	}
	if len(jwt) > maxRequestObjectBytes {
		return nil, objErr(ReasonMalformedRequest, "request object larger than %d bytes", maxRequestObjectBytes)
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, objErr(ReasonMalformedRequest, "request object is not a compact JWS")
	}
	var hdr struct {
		Alg  string          `json:"alg"`
		Typ  string          `json:"typ"`
		X5C  []string        `json:"x5c"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return nil, wrapf(InvalidRequestObject, ReasonMalformedRequest, err, "request object header")
	}
	switch {
	case hdr.Typ != RequestObjectType:
		return nil, objErr(ReasonMalformedRequest, "typ must be %s", RequestObjectType)
	case hdr.Alg != "ES256":
		return nil, objErr(ReasonMalformedRequest, "alg must be ES256")
	case hdr.Crit != nil:
		return nil, objErr(ReasonMalformedRequest, "crit is not accepted")
	case len(hdr.X5C) == 0:
		return nil, errorf(InvalidRequest, ReasonUnsupportedPrefix, "an x509 client_id needs a signed request with x5c")
	}
	chain, err := certs.ParseX5C(hdr.X5C)
	if err != nil {
		return nil, wrapf(InvalidRequestObject, ReasonMalformedRequest, err, "x5c")
	}
	leaf := chain[0]
	for _, c := range chain {
		if bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
			return nil, objErr(ReasonUntrustedVerifier, "x5c holds a self-signed certificate (a trust anchor or self-signed leaf)")
		}
	}
	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, objErr(ReasonSignature, "leaf key is not ECDSA P-256")
	}
	sig, err := b64url.Decode(parts[2])
	if err != nil || !verifyES256(pub, parts[0]+"."+parts[1], sig) {
		return nil, objErr(ReasonSignature, "signature does not verify with the x5c leaf")
	}
	if _, err := opts.Trust.Verify(certs.PurposeVerifier, opts.ClientID, chain, now); err != nil {
		return nil, wrapf(InvalidRequestObject, ReasonUntrustedVerifier, err, "verifier certificate")
	}

	var raw map[string]json.RawMessage
	if err := decodeSegment(parts[1], &raw); err != nil {
		return nil, wrapf(InvalidRequestObject, ReasonMalformedRequest, err, "request object payload")
	}
	if k := inexactKey(raw, requestObjectKeys); k != "" {
		return nil, objErr(ReasonMalformedRequest, "member %s differs from a parameter name only in case", safeName(k))
	}
	ro := &RequestObject{}
	if err := decodeSegment(parts[1], ro); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, wrapf(InvalidRequestObject, ReasonMalformedRequest, err, "request object payload")
	}
	if ro.ClientID != opts.ClientID {
		return nil, errorf(InvalidRequest, ReasonClientIDMismatch, "client_id in the request object differs from the link's")
	}
	prefix, value := SplitClientID(ro.ClientID)
	switch prefix {
	case PrefixX509SanDNS:
		if !slices.ContainsFunc(leaf.DNSNames, func(n string) bool { return strings.EqualFold(n, value) }) {
			return nil, errorf(InvalidRequest, ReasonClientIDMismatch, "x509_san_dns is not a SAN dNSName of the certificate")
		}
	case PrefixX509Hash:
		if X509HashClientID(leaf) != ro.ClientID {
			return nil, errorf(InvalidRequest, ReasonClientIDMismatch, "x509_hash is not the certificate's hash")
		}
	default:
		return nil, errorf(InvalidRequest, ReasonUnsupportedPrefix, "client_id prefix %q is not accepted", safeName(prefix))
	}
	auds := opts.Audiences
	if len(auds) == 0 {
		auds = []string{SelfIssuedAudience}
	}
	switch {
	case !slices.Contains(auds, ro.Audience):
		return nil, objErr(ReasonMalformedRequest, "aud is not this wallet")
	case ro.ExpiresAt == 0 || now.After(time.Unix(ro.ExpiresAt, 0).Add(skew)):
		return nil, objErr(ReasonRequestExpired, "request object expired or has no exp")
	case ro.IssuedAt != 0 && time.Unix(ro.IssuedAt, 0).After(now.Add(skew)):
		return nil, objErr(ReasonMalformedRequest, "iat is in the future")
	case opts.WalletNonce != "" && ro.WalletNonce != opts.WalletNonce:
		return nil, objErr(ReasonWalletNonce, "wallet_nonce is missing or differs")
	}
	if err := checkParams(ro, raw, value, prefix, opts.AllowHTTP); err != nil {
		return nil, err
	}
	ar := &AuthorizationRequest{RequestObject: ro, Leaf: leaf}
	if ro.ResponseMode == ModeDirectPostJWT {
		if ar.EncryptTo, ar.Enc, err = encryptionChoice(ro.ClientMetadata); err != nil {
			return nil, err
		}
	}
	return ar, nil
}

// checkParams checks the authorization request parameters inside a Request Object.
func checkParams(ro *RequestObject, raw map[string]json.RawMessage, dns, prefix string, allowHTTP bool) error {
	if _, ok := raw["transaction_data"]; ok {
		return errorf(InvalidTransactionData, ReasonMalformedRequest, "transaction_data is not supported")
	}
	if _, ok := raw["redirect_uri"]; ok {
		return errorf(InvalidRequest, ReasonMalformedRequest, "redirect_uri must be absent with response_uri")
	}
	switch {
	case ro.ResponseType != "vp_token":
		return errorf(InvalidRequest, ReasonMalformedRequest, "response_type must be vp_token")
	case ro.ResponseMode != ModeDirectPost && ro.ResponseMode != ModeDirectPostJWT:
		return errorf(InvalidRequest, ReasonMalformedRequest, "response_mode must be direct_post or direct_post.jwt")
	case !nonceCharset.MatchString(ro.Nonce):
		return errorf(InvalidRequest, ReasonMalformedRequest, "nonce is missing or outside [A-Za-z0-9-._~]")
	case ro.DCQLQuery == nil:
		if _, ok := raw["scope"]; ok {
			return errorf(InvalidScope, ReasonMalformedRequest, "scope-aliased queries are not supported")
		}
		return errorf(InvalidRequest, ReasonMalformedQuery, "dcql_query is required")
	case ro.DCQLQuery.RequiresState() && ro.State == "":
		return errorf(InvalidRequest, ReasonMalformedRequest, "state is required when holder binding is waived")
	}
	if _, ok := raw["scope"]; ok {
		return errorf(InvalidRequest, ReasonMalformedRequest, "dcql_query and scope are exclusive")
	}
	u, err := url.Parse(ro.ResponseURI)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return errorf(InvalidRequest, ReasonMalformedRequest, "response_uri must be an absolute URL")
	}
	host := u.Hostname()
	switch u.Scheme {
	case "https":
	case "http":
		if !allowHTTP || !isLoopback(host) {
			return errorf(InvalidRequest, ReasonMalformedRequest, "response_uri must be https")
		}
	default:
		return errorf(InvalidRequest, ReasonMalformedRequest, "response_uri must be https")
	}
	if prefix == PrefixX509SanDNS && !strings.EqualFold(host, dns) {
		return errorf(InvalidRequest, ReasonClientIDMismatch, "response_uri host differs from x509_san_dns")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// encryptionChoice picks the first ECDH-ES P-256 key with a kid (use enc or absent, §5.1)
// and the strongest content encryption both sides support.
func encryptionChoice(cm *ClientMetadata) (*JWK, string, error) {
	if cm == nil || cm.JWKS == nil {
		return nil, "", errorf(InvalidRequest, ReasonMalformedRequest, "direct_post.jwt needs client_metadata.jwks")
	}
	encs := cm.EncryptedResponseEncValuesSupported
	if len(encs) == 0 {
		encs = []string{EncA128GCM}
	}
	enc := ""
	for _, e := range []string{EncA256GCM, EncA128GCM} {
		if slices.Contains(encs, e) {
			enc = e
			break
		}
	}
	if enc == "" {
		return nil, "", errorf(InvalidRequest, ReasonMalformedRequest, "no supported content encryption offered")
	}
	for i := range cm.JWKS.Keys {
		k := cm.JWKS.Keys[i]
		if k.KID == "" || k.Alg != AlgECDHES || (k.Use != "" && k.Use != "enc") {
			continue
		}
		if _, err := k.PublicKey(); err == nil {
			return &k, enc, nil
		}
	}
	return nil, "", errorf(InvalidRequest, ReasonMalformedRequest, "client_metadata.jwks has no ECDH-ES P-256 key with a kid")
}

func decodeSegment(seg string, v any) error {
	b, err := b64url.Decode(seg)
	if err != nil {
		return err
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	return json.Unmarshal(b, v)
}

func objErr(reason, format string, args ...any) *Error {
	return errorf(InvalidRequestObject, reason, format, args...)
}

// requestObjectKeys are the members RequestObject decodes. encoding/json matches member names
// case-insensitively; a member that differs from one of these only in case is refused, so
// "NONCE" cannot stand in for nonce.
var requestObjectKeys = []string{"client_id", "response_type", "response_mode", "response_uri", "nonce",
	"state", "dcql_query", "client_metadata", "wallet_nonce", "aud", "iat", "exp"}

func inexactKey(raw map[string]json.RawMessage, known []string) string {
	for k := range raw {
		for _, n := range known {
			if k != n && strings.EqualFold(k, n) {
				return k
			}
		}
	}
	return ""
}
