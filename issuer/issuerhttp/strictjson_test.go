package issuerhttp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/idgate/idgate/internal/jsonscan/jsonscantest"
)

// TestEveryJSONEndpointDecodesStrictly runs each JSON endpoint's valid body changed in one
// property (a duplicate member, a member name in the wrong case, an unknown member, data after
// the body): each is refused as malformed, except an unknown member on /credential, which
// OpenID4VCI 1.0 §8.2 has the issuer ignore.
func TestEveryJSONEndpointDecodesStrictly(t *testing.T) {
	f := newPasskeyFixture(t, nil, "localhost")
	holderID := f.enrol()
	for _, ep := range []struct {
		path, bearer, body string
		ignoreUnknown      bool
	}{
		{"/v1/holders", f.token, `{"credential_types":["employee-id","mdl"],"attributes":` + mdlAttrs + `}`, false},
		{"/v1/offers", f.token, `{"holder_id":"` + holderID + `","credential_type":"mdl"}`, false},
		{"/v1/holders/" + holderID + "/passkey-invitations", f.token, `{"credential_types":["mdl"]}`, false},
		{"/passkey/register/begin", "", `{"invite":"nope"}`, false},
		{"/passkey/register/finish", "", `{"session":"x","credential":{"id":"y"}}`, false},
		{"/passkey/login/finish", "", `{"session":"x","credential":{"id":"y"}}`, false},
		{"/credential", "not-a-token", `{"credential_configuration_id":"mdl","proofs":{"jwt":["x"]}}`, true},
	} {
		malformed := func(st int, body map[string]any) bool {
			msg, _ := body["message"].(string)
			return st == http.StatusBadRequest && strings.HasPrefix(msg, "malformed JSON body")
		}
		st, body := f.call("POST", ep.path, ep.bearer, "application/json", ep.body)
		if malformed(st, body) {
			t.Fatalf("%s: the valid body is refused: %d %v", ep.path, st, body)
		}
		for _, tc := range jsonscantest.Hostile(t, ep.body) {
			st, body := f.call("POST", ep.path, ep.bearer, "application/json", string(tc.Body))
			if want := !(tc.Unknown && ep.ignoreUnknown); malformed(st, body) != want {
				t.Errorf("%s %s: %d %v, want malformed=%v", ep.path, tc.Name, st, body, want)
			}
		}
	}
}
