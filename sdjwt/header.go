package sdjwt

import (
	"encoding/json"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Header is the issuer JWS protected header (RFC 7515 §4.1), decoded once. It is what
// VerifyOptions.ResolveKey sees; Raw holds every member for anything not broken out.
type Header struct {
	Alg jwa.SignatureAlgorithm
	Typ string
	Kid string
	// X5C is the "x5c" chain as sent: base64 (standard, padded) DER, leaf first.
	X5C []string
	// Crit lists the extensions the issuer marked critical; Verify refuses any
	// (RFC 7515 §4.1.11: we implement none).
	Crit []string
	Raw  map[string]any
}

// parseHeader decodes the protected header strictly and type-checks the registered members
// the way jwx's jws.Headers does (strings are strings, crit is a string array, alg is a
// known algorithm, jwk is a valid JWK), so the fast path refuses everything the jwx path
// refused. A repeated member name is refused (RFC 7515 §4 allows either that or last-wins).
func parseHeader(b []byte, dec *jsonDecoder) (*Header, error) {
	m, err := dec.decodeHeaderObject(b)
	if err != nil {
		return nil, wrapErr(CodeMalformed, "issuer JWS header", err)
	}
	h := &Header{Raw: m}
	bad := func(name string) (*Header, error) {
		return nil, newErr(CodeMalformed, "issuer JWS header member "+name)
	}
	for k, v := range m {
		switch k {
		case "alg":
			s, ok := v.(string)
			if !ok || h.Alg.Accept(s) != nil {
				return bad(k)
			}
		case "typ", "kid", "cty", "jku", "x5t", "x5t#S256", "x5u":
			s, ok := v.(string)
			if !ok {
				return bad(k)
			}
			switch k {
			case "typ":
				h.Typ = s
			case "kid":
				h.Kid = s
			}
		case "crit":
			list, ok := stringList(v)
			if !ok {
				return bad(k)
			}
			if len(list) == 0 {
				return bad(k) // RFC 7515 §4.1.11: crit, when present, is a non-empty list
			}
			h.Crit = list
		case "x5c":
			list, ok := stringList(v)
			if !ok {
				return bad(k)
			}
			h.X5C = list
		case "jwk": // rare in an issuer header: let jwx judge it, as it did before
			js, err := json.Marshal(v)
			if err != nil {
				return bad(k)
			}
			if _, err := jwk.ParseKey(js); err != nil {
				return bad(k)
			}
		}
	}
	return h, nil
}

// stringList accepts a JSON array of strings, or null (as decoding into []string does).
func stringList(v any) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		if out[i], ok = e.(string); !ok {
			return nil, false
		}
	}
	return out, true
}
