package walletsdk

import (
	"errors"
	"strings"
	"testing"
)

// verifierRequestJSON is the shape POST /v1/presentation-requests answers with.
const verifierRequestJSON = `{"id":"req-1","nonce":"n-0S6_WzA2Mj","audience":"https://verifier.example.org",
"expires_at":"2026-11-27T00:05:00Z","vct":"urn:idgate:vct:government-employee-id:1","claims":["given_name","address/locality"]}`

func TestParsePresentationRequest(t *testing.T) {
	r, err := ParsePresentationRequest([]byte(verifierRequestJSON))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "req-1" || r.Nonce != "n-0S6_WzA2Mj" || r.Audience != "https://verifier.example.org" ||
		r.VCT != "urn:idgate:vct:government-employee-id:1" || len(r.Claims) != 2 || r.ExpiresAt.Year() != 2026 {
		t.Fatalf("got %+v", r)
	}
	bad := []struct{ name, json string }{
		{"not json", `{`},
		{"no nonce", `{"audience":"a","claims":[]}`},
		{"no audience", `{"nonce":"n","claims":[]}`},
		{"empty claim", `{"audience":"a","nonce":"n","claims":[""]}`},
		{"claims not list", `{"audience":"a","nonce":"n","claims":"given_name"}`},
		{"bad time", `{"audience":"a","nonce":"n","expires_at":"tomorrow"}`},
		{"too many claims", `{"audience":"a","nonce":"n","claims":["a"` + strings.Repeat(`,"a"`, maxRequestClaims) + `]}`},
		{"too large", `{"audience":"` + strings.Repeat("a", maxRequestJSON) + `"}`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePresentationRequest([]byte(tt.json))
			if !errors.Is(err, &Error{Code: CodeInvalidRequest}) {
				t.Fatalf("got %v, want %s", err, CodeInvalidRequest)
			}
		})
	}
}

func FuzzParsePresentationRequest(f *testing.F) {
	f.Add([]byte(verifierRequestJSON))
	f.Add([]byte(`{"audience":"a","nonce":"n","claims":["/address/street_address"]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParsePresentationRequest(b)
		if err != nil {
			if CodeOf(err) != CodeInvalidRequest {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if r.Audience == "" || r.Nonce == "" || len(r.Claims) > maxRequestClaims {
			t.Fatalf("accepted invalid request %+v", r)
		}
	})
}
