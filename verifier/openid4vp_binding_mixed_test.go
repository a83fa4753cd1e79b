package verifier

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/sdjwt"
)

// Holder binding is waived per credential query, never per transaction: beside a query that
// waives it, one that requires it (by default) still refuses a presentation without KB-JWT,
// whether both are asked, one of credential_sets' options, or the presentations of multiple.
func TestOpenID4VPHolderBindingPerQuery(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	licence := w.env.Issue(t, credentialtest.IssueOpts{})
	other := w.env.Issue(t, credentialtest.IssueOpts{})
	cq := func(id, extra string) string {
		return `{"id":"` + id + `","format":"dc+sd-jwt",` + extra + `"meta":{"vct_values":["urn:idgate:vct:mdl:1"]},"claims":[{"path":["age_over_18"]}]}`
	}
	query := func(sets string, queries ...string) string {
		q := `{"dcql_query":{"credentials":[` + strings.Join(queries, ",") + `]`
		if sets != "" {
			q += `,"credential_sets":` + sets
		}
		return q + `}}`
	}
	open := cq("open", `"require_cryptographic_holder_binding":false,`)
	bound, boundMultiple := cq("bound", ""), cq("bound", `"multiple":true,`)
	type pres func(ar *oid4vp.AuthorizationRequest) string
	kb := func(h *credentialtest.Holder) pres {
		return func(ar *oid4vp.AuthorizationRequest) string {
			return h.Present(t, []string{"age_over_18"}, ar.ClientID, ar.Nonce, time.Now())
		}
	}
	noKB := func(h *credentialtest.Holder) pres {
		return func(ar *oid4vp.AuthorizationRequest) string { return withoutKB(kb(h)(ar)) }
	}
	for _, tc := range []struct {
		name    string
		query   string
		answer  map[string][]pres
		outcome string
	}{
		{"both asked, both bound", query("", open, bound), map[string][]pres{"open": {kb(other)}, "bound": {kb(licence)}}, "verified"},
		{"both asked, the waived one unbound", query("", open, bound), map[string][]pres{"open": {noKB(other)}, "bound": {kb(licence)}}, "verified"},
		{"both asked, the required one unbound", query("", open, bound), map[string][]pres{"open": {kb(other)}, "bound": {noKB(licence)}}, sdjwt.CodeKBMissing},
		{"both asked, both unbound", query("", open, bound), map[string][]pres{"open": {noKB(other)}, "bound": {noKB(licence)}}, sdjwt.CodeKBMissing},
		{"options, the waived one unbound", query(`[{"options":[["bound"],["open"]]}]`, open, bound), map[string][]pres{"open": {noKB(other)}}, "verified"},
		{"options, the required one unbound", query(`[{"options":[["bound"],["open"]]}]`, open, bound), map[string][]pres{"bound": {noKB(licence)}}, sdjwt.CodeKBMissing},
		{"optional set of the required one, unbound", query(`[{"options":[["open"]]},{"required":false,"options":[["bound"]]}]`, open, bound),
			map[string][]pres{"open": {noKB(other)}, "bound": {noKB(licence)}}, sdjwt.CodeKBMissing},
		{"multiple, one of them unbound", query("", boundMultiple), map[string][]pres{"bound": {kb(licence), noKB(other)}}, sdjwt.CodeKBMissing},
		{"multiple, all bound", query("", boundMultiple), map[string][]pres{"bound": {kb(licence), kb(other)}}, "verified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := w.create(t, tc.query)
			ar := w.resolve(t, c.AuthorizationRequest)
			vt := oid4vp.VPToken{}
			for id, ps := range tc.answer {
				for _, p := range ps {
					vt[id] = append(vt[id], p(ar))
				}
			}
			st, raw := w.post(t, ar, answer{vpToken: vt, state: ar.State, to: encKey(ar)})
			if (st == http.StatusOK) != (tc.outcome == "verified") {
				t.Fatalf("response_uri: %d %s", st, raw)
			}
			_, o := w.outcome(t, c.ID)
			got := o.Error
			if o.Status == "verified" {
				got = o.Status
			}
			if got != tc.outcome {
				t.Fatalf("outcome %+v, want %s", o, tc.outcome)
			}
		})
	}
}
