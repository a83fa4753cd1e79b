package verifier

import (
	"net/http"
	"testing"

	"github.com/idgate/idgate/internal/jsonscan/jsonscantest"
)

// TestEveryJSONEndpointDecodesStrictly runs each JSON endpoint's valid body changed in one
// property (a duplicate member, a member name in the wrong case, an unknown member, data after
// the body): each is refused as malformed, the valid body is not.
func TestEveryJSONEndpointDecodesStrictly(t *testing.T) {
	rp := newRPServer(t)
	gs := newGateServer(t)
	reqID := rp.request(t, "given_name").ID
	type post func(body []byte) (int, map[string]any)
	rpPost := func(path string) post {
		return func(body []byte) (int, map[string]any) { return rp.post(t, path, body) }
	}
	gatePost := func(method, path, token string) post {
		return func(body []byte) (int, map[string]any) { return gs.do(t, method, path, token, body) }
	}
	// The RP and gate-operator routes answer {code: malformed_json}; the gate's decision routes
	// deny malformed_request with nothing checked.
	rpMalformed := func(st int, out map[string]any) bool {
		return st == http.StatusBadRequest && out["code"] == "malformed_json"
	}
	decisionMalformed := func(st int, out map[string]any) bool {
		rs, _ := out["reasons"].([]any)
		return st == http.StatusBadRequest && len(rs) == 1 && rs[0] == "malformed_request"
	}
	flight := "/v1/flights/" + gs.w.Flight.Carrier + gs.w.Flight.Number + "/" + gs.w.Flight.Date
	for _, ep := range []struct {
		name      string
		do        post
		body      string
		malformed func(int, map[string]any) bool
	}{
		{"create request", rpPost("/v1/presentation-requests"), `{"vct":"urn:idgate:vct:mdl:1","claims":["given_name"]}`, rpMalformed},
		{"verify presentation", rpPost("/v1/presentation-requests/" + reqID + "/verify"), `{"presentation":"x~"}`, rpMalformed},
		{"put gate", gatePost(http.MethodPut, "/v1/gates/C3", operatorToken), `{"carrier":"IG","number":"1","date":"2026-01-02","boarding":true}`, rpMalformed},
		{"gate verify", gatePost(http.MethodPost, "/v1/gates/A1/verify", ""), `{"presentation":"x~","bcbp":"M1X","live_template":"x"}`, decisionMalformed},
		{"gate identify", gatePost(http.MethodPost, "/v1/gates/A1/identify", ""), `{"live_template":"x"}`, decisionMalformed},
		{"check-in enrol", gatePost(http.MethodPost, flight+"/enrol", checkinToken), `{"presentation":"x~","bcbp":"M1X"}`, decisionMalformed},
		{"check-in enrol-batch", gatePost(http.MethodPost, flight+"/enrol-batch", checkinToken), `{"items":[{"presentation":"x~","bcbp":"M1X"}]}`, decisionMalformed},
	} {
		t.Run(ep.name, func(t *testing.T) {
			if st, out := ep.do([]byte(ep.body)); ep.malformed(st, out) {
				t.Fatalf("the valid body is refused: %d %v", st, out)
			}
			for _, tc := range jsonscantest.Hostile(t, ep.body) {
				if st, out := ep.do(tc.Body); !ep.malformed(st, out) {
					t.Errorf("%s: %d %v", tc.Name, st, out)
				}
			}
		})
	}
}
