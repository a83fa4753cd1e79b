package verifier

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
)

// TestGateMdocHTTP: over HTTP, a terminal boards a passenger with the mDL mdoc (the nonce from
// the nonce route, the DeviceResponse signed over its audience and nonce); the replay is
// denied nonce_invalid; a body with both a presentation and an mdoc, or an mdoc without its
// nonce, is 400. Check-in enrols mdoc IDs (single and batch) and identify boards them.
func TestGateMdocHTTP(t *testing.T) {
	s := newGateServer(t)
	w := s.w
	f := w.Flight
	erika := w.MdocPassenger(t, "Mustermann", "Erika")
	n := s.nonce(t, "A1")
	body := map[string]any{"mdoc": erika.Present(t, n), "nonce": n.Nonce,
		"bcbp": w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{}), "live_template": w.LiveTemplateOf(t, erika.Face)}
	if st, out := s.do(t, http.MethodPost, "/v1/gates/A1/verify", "", body); st != http.StatusOK || out["decision"] != "allow" || out["score"] == nil {
		t.Fatalf("verify with an mdoc: %d %v", st, out)
	}
	if st, out := s.do(t, http.MethodPost, "/v1/gates/A1/verify", "", body); st != http.StatusForbidden ||
		reasonsOf(out)[0] != string(gate.ReasonNonceInvalid) || out["score"] != nil {
		t.Fatalf("replay: %d %v", st, out)
	}
	for name, edit := range map[string]func(map[string]any){
		"presentation and mdoc": func(b map[string]any) { b["presentation"] = "eyJ.eyJ.c2ln~" },
		"mdoc without nonce":    func(b map[string]any) { delete(b, "nonce") },
		"mdoc padded":           func(b map[string]any) { b["mdoc"] = b["mdoc"].(string) + "=" },
	} {
		b := map[string]any{}
		for k, v := range body {
			b[k] = v
		}
		edit(b)
		if st, out := s.do(t, http.MethodPost, "/v1/gates/A1/verify", "", b); st != http.StatusBadRequest ||
			reasonsOf(out)[0] != string(gate.ReasonMalformedRequest) {
			t.Fatalf("%s: %d %v", name, st, out)
		}
	}

	base := fmt.Sprintf("/v1/flights/%s%s/%s/", f.Carrier, f.Number, f.Date)
	item := func(p *gatetest.MdocPassenger, name string, seq int) map[string]any {
		st, out := s.do(t, http.MethodPost, base+"nonce", checkinToken, nil)
		if st != http.StatusCreated {
			t.Fatalf("check-in nonce: %d %v", st, out)
		}
		n := gate.Nonce{Nonce: out["nonce"].(string), Audience: out["audience"].(string)}
		return map[string]any{"mdoc": p.Present(t, n), "nonce": n.Nonce, "bcbp": w.Pass(t, name, gatetest.PassOpts{Sequence: seq})}
	}
	max, lena := w.MdocPassenger(t, "Gabler", "Max"), w.MdocPassenger(t, "Weiss", "Lena")
	if st, out := s.do(t, http.MethodPost, base+"enrol", checkinToken, item(max, "GABLER/MAX", 2)); st != http.StatusCreated {
		t.Fatalf("enrol: %d %v", st, out)
	}
	st, out := s.do(t, http.MethodPost, base+"enrol-batch", checkinToken, map[string]any{"items": []any{item(lena, "WEISS/LENA", 3)}})
	if ds, _ := out["decisions"].([]any); st != http.StatusOK || len(ds) != 1 || ds[0].(map[string]any)["decision"] != "allow" {
		t.Fatalf("enrol-batch: %d %v", st, out)
	}
	for _, p := range []*gatetest.MdocPassenger{max, lena} {
		if st, out := s.do(t, http.MethodPost, "/v1/gates/A1/identify", "", map[string]any{"live_template": w.LiveTemplateOf(t, p.Face)}); st != http.StatusOK {
			t.Fatalf("identify %s: %d %v", p.Given, st, out)
		}
	}
}
