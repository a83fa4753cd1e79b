package credential_test

import (
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/sdjwt"
)

// Expectation.KeyBindingOptional accepts a presentation without KB-JWT (KeyBound false) and
// still verifies one that is sent (KeyBound true); by default a KB-JWT is required.
func TestKeyBindingOptional(t *testing.T) {
	env := credentialtest.New(t)
	v := env.Verifier(t)
	h := env.Issue(t, credentialtest.IssueOpts{})
	const aud, nonce = "x509_san_dns:rp.example", "n-1"
	bound := h.Present(t, []string{"family_name"}, aud, nonce, time.Now())
	bare := bound[:strings.LastIndex(bound, "~")+1]
	for _, tc := range []struct {
		name     string
		pres     string
		optional bool
		code     string // "" = verified
		keyBound bool
	}{
		{"required, KB-JWT", bound, false, "", true},
		{"required, none", bare, false, sdjwt.CodeKBMissing, false},
		{"optional, none", bare, true, "", false},
		{"optional, KB-JWT", bound, true, "", true},
		{"optional, KB-JWT for another nonce", h.Present(t, []string{"family_name"}, aud, "n-2", time.Now()), true, sdjwt.CodeKBNonce, false},
		{"optional, KB-JWT for another audience", h.Present(t, []string{"family_name"}, "rp.example", nonce, time.Now()), true, sdjwt.CodeKBAud, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(t.Context(), tc.pres, credential.Expectation{Audience: aud, Nonce: nonce, Claims: []string{"family_name"}, KeyBindingOptional: tc.optional})
			if tc.code != "" {
				if string(credential.CodeOf(err)) != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.KeyBound != tc.keyBound || res.HolderKey == nil || res.Claims["family_name"] == nil {
				t.Fatalf("KeyBound %v, HolderKey %v, claims %v", res.KeyBound, res.HolderKey, res.Claims)
			}
		})
	}
}
