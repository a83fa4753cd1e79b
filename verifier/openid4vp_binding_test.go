package verifier

import (
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/sdjwt"
	"github.com/idgate/idgate/statuslist"
)

// withoutKB drops a presentation's KB-JWT: SD-JWT~disclosures~.
func withoutKB(p string) string { return p[:strings.LastIndex(p, "~")+1] }

// DCQL's require_cryptographic_holder_binding (OpenID4VP §6.1): by default, and when true, a
// presentation needs a KB-JWT; a query that sets it to false takes one without, still checks
// everything else, and still verifies a KB-JWT that is sent.
func TestOpenID4VPHolderBinding(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	licence := w.env.Issue(t, credentialtest.IssueOpts{})
	revoked := w.env.Issue(t, credentialtest.IssueOpts{})
	w.env.SetStatus(t, revoked.StatusIdx, statuslist.Invalid)
	binding := func(v string) string {
		return strings.Replace(licenceQuery, `"format":"dc+sd-jwt",`, `"format":"dc+sd-jwt","require_cryptographic_holder_binding":`+v+`,`, 1)
	}
	waived, required := binding("false"), binding("true")
	claims := []string{"family_name", "age_over_18"}
	present := func(h *credentialtest.Holder, ar *oid4vp.AuthorizationRequest) string {
		return h.Present(t, claims, ar.ClientID, ar.Nonce, time.Now())
	}
	for _, tc := range []struct {
		name    string
		query   string
		pres    func(ar *oid4vp.AuthorizationRequest) string
		status  int
		outcome string
	}{
		// The attack: a bearer copy of the credential where binding is required.
		{"default: no KB-JWT", licenceQuery, func(ar *oid4vp.AuthorizationRequest) string { return withoutKB(present(licence, ar)) }, 422, sdjwt.CodeKBMissing},
		{"required: no KB-JWT", required, func(ar *oid4vp.AuthorizationRequest) string { return withoutKB(present(licence, ar)) }, 422, sdjwt.CodeKBMissing},
		{"required: KB-JWT", required, func(ar *oid4vp.AuthorizationRequest) string { return present(licence, ar) }, 200, "verified"},
		{"waived: no KB-JWT", waived, func(ar *oid4vp.AuthorizationRequest) string { return withoutKB(present(licence, ar)) }, 200, "verified"},
		{"waived: KB-JWT", waived, func(ar *oid4vp.AuthorizationRequest) string { return present(licence, ar) }, 200, "verified"},
		{"waived: KB-JWT for another nonce", waived, func(ar *oid4vp.AuthorizationRequest) string {
			return licence.Present(t, claims, ar.ClientID, "another-nonce", time.Now())
		}, 422, sdjwt.CodeKBNonce},
		{"waived: KB-JWT aud without the prefix", waived, func(ar *oid4vp.AuthorizationRequest) string {
			return licence.Present(t, claims, "localhost", ar.Nonce, time.Now())
		}, 422, sdjwt.CodeKBAud},
		{"waived: KB-JWT signature broken", waived, func(ar *oid4vp.AuthorizationRequest) string {
			p := present(licence, ar)
			return p[:len(p)-4] + flipB64(p[len(p)-4:])
		}, 422, sdjwt.CodeKBSignatureInvalid},
		{"waived: no KB-JWT, revoked", waived, func(ar *oid4vp.AuthorizationRequest) string { return withoutKB(present(revoked, ar)) }, 422, string(credential.CodeRevoked)},
		{"waived: no KB-JWT, issuer signature broken", waived, func(ar *oid4vp.AuthorizationRequest) string {
			p := withoutKB(present(licence, ar))
			jwt, rest, _ := strings.Cut(p, "~")
			return jwt[:len(jwt)-4] + flipB64(jwt[len(jwt)-4:]) + "~" + rest
		}, 422, sdjwt.CodeSignatureInvalid},
		{"waived: no KB-JWT, claim missing", waived, func(ar *oid4vp.AuthorizationRequest) string {
			return withoutKB(licence.Present(t, []string{"age_over_18"}, ar.ClientID, ar.Nonce, time.Now()))
		}, 400, oid4vp.ReasonQueryNotSatisfied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := w.create(t, tc.query)
			ar := w.resolve(t, c.AuthorizationRequest)
			if ar.State == "" {
				t.Fatal("no state in the request") // §5.3 requires it when a query waives binding
			}
			st, raw := w.post(t, ar, answer{vpToken: oid4vp.VPToken{"licence": {tc.pres(ar)}}, state: ar.State, to: encKey(ar)})
			if st != tc.status {
				t.Fatalf("response_uri: %d %s, want %d", st, raw, tc.status)
			}
			_, o := w.outcome(t, c.ID)
			got := o.Error
			if o.Status == "verified" {
				got = o.Status
				if cl := o.Credentials["licence"][0].Claims; cl["family_name"] == nil || cl["age_over_18"] != true {
					t.Fatalf("claims %+v", cl)
				}
			}
			if got != tc.outcome {
				t.Fatalf("outcome %+v, want %s", o, tc.outcome)
			}
		})
	}
}

// flipB64 changes the first character of a base64url tail, staying in the alphabet.
func flipB64(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
