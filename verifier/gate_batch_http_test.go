package verifier

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// checkinItem is one enrolment body for p with pass sequence seq, bound to a fresh check-in
// nonce from the API.
func (s *gateServer) checkinItem(t *testing.T, p *gatetest.Passenger, name string, seq int) map[string]any {
	t.Helper()
	f := s.w.Flight
	st, out := s.do(t, http.MethodPost, fmt.Sprintf("/v1/flights/%s%s/%s/nonce", f.Carrier, f.Number, f.Date), checkinToken, nil)
	if st != http.StatusCreated {
		t.Fatalf("check-in nonce: %d %v", st, out)
	}
	n := gate.Nonce{Nonce: out["nonce"].(string), Audience: out["audience"].(string)}
	return map[string]any{"presentation": p.Present(t, n), "bcbp": s.w.Pass(t, name, gatetest.PassOpts{Sequence: seq})}
}

func TestGateEnrolBatchRoute(t *testing.T) {
	s := newGateServer(t)
	f := s.w.Flight
	path := fmt.Sprintf("/v1/flights/%s%s/%s/enrol-batch", f.Carrier, f.Number, f.Date)
	erika := s.w.Passenger(t, "Mustermann", "Erika")
	max := s.w.Passenger(t, "Gabler", "Max")
	ok := s.checkinItem(t, erika, "MUSTERMANN/ERIKA", 1)
	batch := map[string]any{"items": []any{ok}}

	for _, c := range []struct {
		name, method, token string
		body                any
		status              int
		code                string // error code, or the decision's first reason
	}{
		{"no token", http.MethodPost, "none", batch, 401, "unauthorized"},
		{"terminal token", http.MethodPost, terminalToken, batch, 401, "unauthorized"},
		{"operator token", http.MethodPost, operatorToken, batch, 401, "unauthorized"},
		{"GET", http.MethodGet, checkinToken, nil, 405, "method_not_allowed"},
		{"not an object", http.MethodPost, checkinToken, []byte(`[]`), 400, "malformed_request"},
		{"empty items", http.MethodPost, checkinToken, []byte(`{"items":[]}`), 400, "malformed_request"},
		{"unknown member in an item", http.MethodPost, checkinToken, map[string]any{"items": []any{map[string]any{"presentation": "p", "bcbp": "b", "x": "y"}}}, 400, "malformed_request"},
		{"valid item, then garbage", http.MethodPost, checkinToken, append(mustJSON(t, batch), "x"...), 400, "malformed_request"},
		{"too many items", http.MethodPost, checkinToken, []byte(`{"items":[` + strings.Repeat(`{"presentation":"p","bcbp":"b"},`, gate.MaxEnrolBatch) + `{"presentation":"p","bcbp":"b"}]}`), 400, "malformed_request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, out := s.do(t, c.method, path, c.token, c.body)
			got, _ := out["code"].(string)
			if rs, isDecision := out["reasons"].([]any); isDecision && len(rs) > 0 {
				got, _ = rs[0].(string)
			}
			if st != c.status || got != c.code {
				t.Fatalf("got %d %v, want %d %s", st, out, c.status, c.code)
			}
		})
	}

	if st, out := s.postOversized(t, path, checkinToken); st != http.StatusRequestEntityTooLarge || out["code"] != "body_too_large" {
		t.Fatalf("over the body limit: %d %v", st, out)
	}

	// Nothing above consumed ok's nonce: it enrols now, next to a deny and a replay.
	denied := s.checkinItem(t, max, "MUSTERMANN/ERIKA", 2) // Max's ID, Erika's pass
	st, out := s.do(t, http.MethodPost, path, checkinToken, map[string]any{"items": []any{ok, denied, ok}})
	if st != http.StatusOK {
		t.Fatalf("mixed batch: %d %v", st, out)
	}
	ds, _ := out["decisions"].([]any)
	want := []string{"", string(gate.ReasonNameMismatch), string(gate.ReasonNonceInvalid)}
	if len(ds) != len(want) {
		t.Fatalf("%d decisions: %v", len(ds), out)
	}
	for i, d := range ds {
		d := d.(map[string]any)
		rs := reasonsOf(d)
		if (want[i] == "") != (d["decision"] == "allow") || (want[i] != "" && (len(rs) == 0 || rs[0] != want[i])) {
			t.Errorf("item %d: %v, want %q", i, d, want[i])
		}
	}
	// The enrolled passenger identifies at the gate; the denied one does not.
	for _, c := range []struct {
		p    *gatetest.Passenger
		want int
	}{{erika, http.StatusOK}, {max, http.StatusForbidden}} {
		live, _ := s.w.Near(c.p.Face, 0.1).EncodeString()
		if st, out := s.do(t, http.MethodPost, "/v1/gates/A1/identify", "", map[string]any{"live_template": live}); st != c.want {
			t.Fatalf("identify %s: %d %v", c.p.Given, st, out)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
