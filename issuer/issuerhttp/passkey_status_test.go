package issuerhttp

import (
	"net/http"
	"testing"
)

// A holder whose credential an operator suspended or revoked must not collect a fresh one by
// signing in with their passkey: the operator's status decision stands.
func TestPasskeyLoginOffersNothingAfterSuspendOrRevoke(t *testing.T) {
	for _, action := range []string{"suspend", "revoke"} {
		t.Run(action, func(t *testing.T) {
			f := newPasskeyFixture(t, nil, "localhost")
			holderID := f.enrol()
			a := f.registerPasskey(f.invite(holderID, `["mdl"]`))
			_, r := f.collect(a)
			offers := offersOf(t, r)
			st, tok := f.redeem(offerCode(t, offers[0]["offer_uri"].(string)))
			if st != http.StatusOK {
				t.Fatal(st, tok)
			}
			p := newHolder(t).proof(t, f.url, tok["c_nonce"].(string), f.now, nil)
			if st, resp := f.call("POST", "/credential", tok["access_token"].(string), "application/json", credentialBody("mdl", p)); st != http.StatusOK {
				t.Fatal(st, resp)
			}
			_, list := f.operator("GET", "/v1/credentials?holder_id="+holderID, "")
			id := list["credentials"].([]any)[0].(map[string]any)["id"].(string)
			if st, r := f.operator("POST", "/v1/credentials/"+id+"/"+action, ""); st != http.StatusOK {
				t.Fatal(st, r)
			}
			if _, r := f.collect(a); len(offersOf(t, r)) != 0 {
				t.Fatalf("after %s the holder collects fresh offers: %v", action, offersOf(t, r))
			}
		})
	}
}
