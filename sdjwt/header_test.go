package sdjwt

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jws"
)

var headerCases = []struct {
	json string
	ok   bool
}{
	{`{"alg":"ES256","typ":"dc+sd-jwt","kid":"k1","x5c":["MIIB","MIIC"]}`, true},
	{`{"alg":"ES256","typ":"dc+sd-jwt"}`, true},
	// RFC 9901 Appendix A.5 examples' issuer header.
	{`{"alg": "ES256", "typ": "example+sd-jwt"}`, true},
	{`{"alg":"none"}`, true}, // parses; the allow-list refuses it
	{`{"alg":"HS256"}`, true},
	{`{"typ":"JWT"}`, true},
	{`{"alg":"ES256","crit":[]}`, false}, // RFC 7515 §4.1.11: crit must not be empty
	{`{"alg":"ES256","crit":null,"x5c":null}`, false},
	{`{"alg":"ES256","crit":["exp"],"exp":1}`, true}, // parses; Verify refuses crit
	{`{"alg":"ES256","x-private":{"a":[1,2]}}`, true},
	{`{"alg":"ES999"}`, false},
	{`{"alg":1}`, false},
	{`{"alg":"ES256","typ":1}`, false},
	{`{"alg":"ES256","kid":null}`, false},
	{`{"alg":"ES256","x5c":"MIIB"}`, false},
	{`{"alg":"ES256","x5c":[1]}`, false},
	{`{"alg":"ES256","crit":"exp"}`, false},
	{`{"alg":"ES256","jwk":{"kty":"nope"}}`, false},
	{`{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ","y":"Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"}}`, true},
	{`["alg","ES256"]`, false},
	{`null`, false},
	{`{"alg":"ES256"} {}`, false}, // jwx stops at the first object; we refuse trailing data
	{`{"alg":"ES256",}`, false},
	{`{"alg":1,"alg":"ES256"}`, false},
	{`{"alg":"ES256","alg":"ES256"}`, false},
	{`{"alg":"ES256","x":{"a":1,"a":2}}`, false},
}

func TestParseHeader(t *testing.T) {
	for _, c := range headerCases {
		h, err := parseHeader([]byte(c.json), new(jsonDecoder))
		if (err == nil) != c.ok {
			t.Fatalf("%s: err %v, want ok=%v", c.json, err, c.ok)
		}
		if err != nil {
			if ErrorCode(err) != CodeMalformed {
				t.Fatalf("%s: code %q", c.json, ErrorCode(err))
			}
			continue
		}
		sameAsJWXHeader(t, []byte(c.json), h)
	}
}

// sameAsJWXHeader: whatever parseHeader accepts, jwx's jws.Headers accepts too, with the
// same alg, typ, kid, x5c and crit.
func sameAsJWXHeader(t *testing.T, b []byte, h *Header) {
	t.Helper()
	jh := jws.NewHeaders()
	if err := json.Unmarshal(b, jh); err != nil {
		t.Fatalf("%q: parseHeader accepted what jwx refuses: %v", b, err)
	}
	var x5c []string
	if cc := jh.X509CertChain(); cc != nil {
		for i := range cc.Len() {
			c, _ := cc.Get(i)
			x5c = append(x5c, string(c))
		}
	}
	if jh.Algorithm() != h.Alg || jh.Type() != h.Typ || jh.KeyID() != h.Kid ||
		len(x5c) != len(h.X5C) || (len(x5c) > 0 && !reflect.DeepEqual(x5c, h.X5C)) || len(jh.Critical()) != len(h.Crit) {
		t.Fatalf("%q: parseHeader %+v disagrees with jwx", b, h)
	}
}

// FuzzParseHeader: the decoded-header path is never looser than jwx's.
func FuzzParseHeader(f *testing.F) {
	for _, c := range headerCases {
		f.Add([]byte(c.json))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHeader(b, new(jsonDecoder))
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		sameAsJWXHeader(t, b, h)
	})
}
