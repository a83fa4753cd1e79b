package verifier

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/api"
	"github.com/idgate/idgate/api/apitest"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/gatetest"
	"github.com/idgate/idgate/internal/ratelimit"
	"github.com/idgate/idgate/verifier/vpstore"
)

// exampleRequest is the presentation request id of the document's verify example.
const exampleRequest = "3q2-7wQ0Yk1vT9dXb5sNpA"

// verifierRouted reports whether the verifier's router found a handler: it answers an
// unknown path 404 not_found "no such route", and a known path's other methods 405.
func verifierRouted(r apitest.Response) bool {
	m := r.JSON()
	noRoute := r.Status == http.StatusNotFound && m["code"] == "not_found" && m["message"] == "no such route"
	return !noRoute && r.Status != http.StatusMethodNotAllowed
}

// TestOpenAPI keeps api/verifier.yaml true to API.Handler with the gate routes: every path
// the router compares against is in the document, every documented path and method is
// answered (and no other method), each operation's example request meets the real handler
// with the status noted below, and every request and answer of the relying-party, check-in
// and gate flows matches the document.
func TestOpenAPI(t *testing.T) {
	doc := apitest.Load(t, api.Verifier)
	checkPathLiterals(t, apitest.Ops(doc), apitest.PathLiterals(t, "."))

	w := gatetest.New(t)
	svc, err := gate.New(w.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	requests := NewMemoryRequests(100)
	rp, err := NewRP(RPConfig{Credentials: w.Env.Verifier(t), Requests: requests, Audience: gatetest.Audience})
	if err != nil {
		t.Fatal(err)
	}
	rpToken := HashToken("rp-secret")
	ga := &GateAPI{Gates: svc, OperatorToken: HashToken(operatorToken), CheckinToken: HashToken(checkinToken),
		TerminalToken: HashToken(terminalToken)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	vp, err := NewVP(VPConfig{Credentials: w.Env.Verifier(t), Store: vpstore.NewMemory(nil), BaseURL: "http://localhost:" + port,
		Signer: w.Env.CA.Issue(t, "rental desk", certstest.WithDNS("localhost"), certstest.WithProfile(certs.ProfileRequestSigner))})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer((&API{RP: rp, VP: vp, RPToken: rpToken, GateRoutes: ga.Routes}).Handler)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Shutdown() })

	c := apitest.NewClient(t, doc, "http://"+l.Addr().String())
	c.Tokens = map[string]string{"rpToken": "rp-secret", "operatorToken": operatorToken,
		"checkinToken": checkinToken, "terminalToken": terminalToken}

	apitest.CheckAnswered(c, verifierRouted)
	for p, token := range map[string]string{"/v1/gates/A1/board": terminalToken, "/v1/flights/IG0101/2026-12-01/board": checkinToken,
		"/v1/presentation-requests/x/y": "rp-secret", "/v2/gates/A1": operatorToken} {
		if r := c.Unrouted(http.MethodPost, p, token); verifierRouted(r) {
			t.Errorf("POST %s answered (%s) but not in the document", p, r)
		}
	}

	// The verify example's request, open, as a relying party would have made it.
	if err := requests.Put(PresentationRequest{ID: exampleRequest, Nonce: "kV0x7rB2c9YpQz4LmT8sWf1nH3jD6gA5", Audience: gatetest.Audience,
		ExpiresAt: time.Now().Add(time.Hour), Claims: []string{"age_over_18"}}, "docs-example"); err != nil {
		t.Fatal(err)
	}
	deny := func(reason gate.Reason) func(testing.TB, apitest.Response) {
		return func(t testing.TB, r apitest.Response) {
			if rs, _ := r.JSON()["reasons"].([]any); len(rs) == 0 || rs[0] != string(reason) {
				t.Errorf("reasons %v, want %s first", r.JSON()["reasons"], reason)
			}
		}
	}
	apitest.RunExamples(c, []apitest.Case{
		{Op: "healthz", Want: 200},
		{Op: "readyz", Want: 200},
		{Op: "getOpenAPI", Want: 200},
		{Op: "createPresentationRequest", Want: 201},
		// The example id names a direct-posting request, no OpenID4VP transaction.
		{Op: "getPresentationOutcome", Want: 404},
		{Op: "getPresentationQRPNG", Want: 404},
		{Op: "getPresentationQRSVG", Want: 404},
		{Op: "getRequestObject", Want: 404},
		{Op: "postRequestObject", Want: 404},
		{Op: "postAuthorizationResponse", Want: 404},
		// The example presentation is shaped right but signed by nobody: a credential rejection.
		{Op: "verifyPresentation", Want: 422},
		{Op: "putGate", Want: 200},
		{Op: "getGate", Want: 200},
		{Op: "gateNonce", Want: 201},
		// The examples' presentation (bound to no nonce this server issued), pass (signed by
		// an airline key this server does not trust) and template are stand-ins: decoded,
		// checked, denied.
		{Op: "gateVerify", Example: "sdjwt", Want: 403, Check: deny(gate.ReasonNonceInvalid)},
		{Op: "gateVerify", Example: "mdoc", Want: 403, Check: deny(gate.ReasonNonceInvalid)},
		{Op: "gateIdentify", Want: 403, Check: deny(gate.ReasonLiveFaceInvalid)},
		{Op: "checkinNonce", Want: 201},
		{Op: "checkinEnrol", Example: "sdjwt", Want: 403, Check: deny(gate.ReasonNonceInvalid)},
		{Op: "checkinEnrol", Example: "mdoc", Want: 403, Check: deny(gate.ReasonNonceInvalid)},
		{Op: "checkinEnrolBatch", Want: 200},
		{Op: "metrics", Want: 200, Check: func(t testing.TB, r apitest.Response) {
			if !strings.Contains(string(r.Body), "idgate_gate_requests_total") {
				t.Errorf("metrics without request counters: %.200s", r.Body)
			}
		}},
	})

	t.Run("relying party", func(t *testing.T) {
		h := w.Env.Issue(t, credentialtest.IssueOpts{})
		r := c.Do(apitest.Request{Method: "POST", Path: "/v1/presentation-requests", ContentType: "application/json",
			Body: []byte(`{"claims":["age_over_19","photo_ref"]}`)})
		if r.Status != 201 {
			t.Fatalf("create: %s", r)
		}
		req := r.JSON()
		pres := h.Present(t, []string{"age_over_19", "photo_ref"}, req["audience"].(string), req["nonce"].(string), time.Now())
		body := jsonOf(map[string]string{"presentation": pres})
		path := "/v1/presentation-requests/" + req["id"].(string) + "/verify"
		if r := c.Do(apitest.Request{Method: "POST", Path: path, ContentType: "application/json", Body: body}); r.Status != 200 {
			t.Fatalf("verify: %s", r)
		}
		if r := c.Do(apitest.Request{Method: "POST", Path: path, ContentType: "application/json", Body: body}); r.Status != 409 || r.Code() != "nonce_replayed" {
			t.Fatalf("replay: %s", r)
		}
		if r := c.Do(apitest.Request{Method: "POST", Path: "/v1/presentation-requests", ContentType: "application/json",
			Body: []byte(`{"claims":["age_over_19"]}`), NoAuth: true}); r.Status != 401 || r.Code() != "unauthorized" {
			t.Fatalf("no rp token: %s", r)
		}
		if r := c.Do(apitest.Request{Method: "POST", Path: "/v1/presentation-requests", ContentType: "application/json",
			Body: []byte(`{"claims":[]}`), Invalid: true}); r.Status != 400 || r.Code() != "invalid_request" {
			t.Fatalf("no claims: %s", r)
		}
		if r := c.Do(apitest.Request{Method: "POST", Path: "/v1/presentation-requests/unknown/verify", ContentType: "application/json",
			Body: body}); r.Status != 404 || r.Code() != "request_not_found" {
			t.Fatalf("unknown request: %s", r)
		}
	})

	t.Run("same-device OpenID4VP", func(t *testing.T) {
		r := c.Do(apitest.Request{Method: "POST", Path: "/v1/presentation-requests", ContentType: "application/json",
			Body: []byte(`{"redirect_uri":"https://rental.example/return","dcql_query":{"credentials":[{"id":"licence","format":"dc+sd-jwt","meta":{"vct_values":["urn:idgate:vct:mdl:1"]},"claims":[{"path":["age_over_18"]}]}]}}`)})
		if r.Status != 201 {
			t.Fatalf("create: %s", r)
		}
		tx := r.JSON()
		id := tx["id"].(string)
		if r := c.Do(apitest.Request{Method: "GET", Path: "/v1/presentation-requests/" + id + "?response_code=abc"}); r.Status != 200 || r.JSON()["status"] != "pending" {
			t.Fatalf("pending: %s", r)
		}
		if r := c.Do(apitest.Request{Method: "POST", Path: "/v1/openid4vp/responses/" + id, ContentType: "application/x-www-form-urlencoded",
			Body: []byte("response=not-a-jwe"), NoAuth: true}); r.Status != 400 || r.JSON()["error"] != "invalid_request" {
			t.Fatalf("undecodable response: %s", r)
		}
		if r := c.Do(apitest.Request{Method: "POST", Path: "/v1/presentation-requests", ContentType: "application/json",
			Body: []byte(`{"redirect_uri":"http://rental.example/return","claims":["age_over_18"]}`), Invalid: true}); r.Status != 400 || r.Code() != "invalid_request" {
			t.Fatalf("plain-http return URL: %s", r)
		}
	})

	t.Run("rate limited", func(t *testing.T) {
		lim, err := ratelimit.New(ratelimit.Config{Rate: 0.001, Burst: 1, MaxClients: 10})
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := NewServer((&API{RP: rp, Limit: lim, OpenRP: true}).Handler)
		go func() { _ = srv.Serve(l) }()
		t.Cleanup(func() { _ = srv.Shutdown() })
		lc := apitest.NewClient(t, doc, "http://"+l.Addr().String())
		create := apitest.Request{Method: "POST", Path: "/v1/presentation-requests", ContentType: "application/json",
			Body: []byte(`{"claims":["age_over_18"]}`), NoAuth: true}
		if r := lc.Do(create); r.Status != 201 {
			t.Fatalf("first create: %s", r)
		}
		if r := lc.Do(create); r.Status != 429 || r.Code() != "rate_limited" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("second create: %s", r)
		}
	})

	t.Run("check-in and gate", func(t *testing.T) {
		f := w.Flight
		do := func(method, path string, body any) apitest.Response {
			t.Helper()
			req := apitest.Request{Method: method, Path: path}
			if body != nil {
				req.ContentType, req.Body = "application/json", jsonOf(body)
			}
			return c.Do(req)
		}
		if r := do("PUT", "/v1/gates/A1", gate.GateUpdate{Carrier: f.Carrier, Number: f.Number, Date: f.Date, Boarding: true}); r.Status != 200 {
			t.Fatalf("configure: %s", r)
		}
		base := fmt.Sprintf("/v1/flights/%s%s/%s/", f.Carrier, f.Number, f.Date)
		nonce := func(path string) gate.Nonce {
			t.Helper()
			r := do("POST", path, nil)
			if r.Status != 201 {
				t.Fatalf("nonce %s: %s", path, r)
			}
			m := r.JSON()
			return gate.Nonce{Nonce: m["nonce"].(string), Audience: m["audience"].(string)}
		}
		erika := w.Passenger(t, "Mustermann", "Erika")
		pass := w.Pass(t, "MUSTERMANN/ERIKA", gatetest.PassOpts{Sequence: 1})
		if r := do("POST", base+"enrol", map[string]string{"presentation": erika.Present(t, nonce(base+"nonce")), "bcbp": pass}); r.Status != 201 {
			t.Fatalf("enrol: %s", r)
		}
		max := w.Passenger(t, "Gabler", "Max")
		r := do("POST", base+"enrol-batch", map[string]any{"items": []map[string]string{
			{"presentation": max.Present(t, nonce(base+"nonce")), "bcbp": w.Pass(t, "GABLER/MAX", gatetest.PassOpts{Sequence: 2})},
		}})
		if ds, _ := r.JSON()["decisions"].([]any); r.Status != 200 || len(ds) != 1 || ds[0].(map[string]any)["decision"] != "allow" {
			t.Fatalf("enrol-batch: %s", r)
		}
		verify := func() apitest.Response {
			return do("POST", "/v1/gates/A1/verify", map[string]string{
				"presentation": erika.Present(t, nonce("/v1/gates/A1/nonce")), "bcbp": pass, "live_template": w.LiveTemplate(t, erika)})
		}
		if r := verify(); r.Status != 200 || r.JSON()["decision"] != "allow" {
			t.Fatalf("verify: %s", r)
		}
		if r := verify(); r.Status != 403 {
			t.Fatalf("second verify: %s", r)
		}
		lena := w.MdocPassenger(t, "Weiss", "Lena")
		n := nonce("/v1/gates/A1/nonce")
		if r := do("POST", "/v1/gates/A1/verify", map[string]string{"mdoc": lena.Present(t, n), "nonce": n.Nonce,
			"bcbp": w.Pass(t, "WEISS/LENA", gatetest.PassOpts{Sequence: 3}), "live_template": w.LiveTemplateOf(t, lena.Face)}); r.Status != 200 {
			t.Fatalf("verify with an mdoc: %s", r)
		}
		if r := do("POST", "/v1/gates/A1/identify", map[string]string{"live_template": w.LiveTemplate(t, max)}); r.Status != 200 {
			t.Fatalf("identify: %s", r)
		}
		if r := do("POST", "/v1/gates/A1/identify", map[string]string{"live_template": w.LiveTemplate(t, max)}); r.Status != 403 {
			t.Fatalf("identify twice: %s", r)
		}
		if r := c.Do(apitest.Request{Method: "POST", Path: "/v1/gates/A1/verify", ContentType: "application/json",
			Body: []byte(`{"bcbp":"x"}`), Invalid: true}); r.Status != 400 {
			t.Fatalf("malformed verify: %s", r)
		}
		if r := do("GET", "/v1/gates/Z9", nil); r.Status != 404 || r.Code() != "unknown_gate" {
			t.Fatalf("unknown gate: %s", r)
		}
		if r := do("POST", "/v1/gates/Z9/identify", map[string]string{"live_template": w.LiveTemplate(t, max)}); r.Status != 404 {
			t.Fatalf("identify at an unknown gate: %s", r)
		}
		if r := c.Do(apitest.Request{Method: "POST", Path: "/v1/flights/XX/2026-12-01/nonce", Invalid: true}); r.Status != 400 || r.Code() != "invalid_request" {
			t.Fatalf("bad flight: %s", r)
		}
	})
}

// checkPathLiterals fails for a path literal of the router's code that is no documented path,
// nor a prefix or a final segment of one: a route the document would miss.
func checkPathLiterals(t *testing.T, ops []apitest.Op, literals []string) {
	t.Helper()
	if len(literals) == 0 {
		t.Fatal("no path literals found")
	}
	for _, lit := range literals {
		ok := false
		for _, o := range ops {
			ok = ok || o.Path == lit || strings.HasPrefix(o.Path, lit) || strings.HasSuffix(o.Path, lit)
		}
		if !ok {
			t.Errorf("path %q in the router's code is not in the document", lit)
		}
	}
}

func jsonOf(v any) []byte { b, _ := json.Marshal(v); return b }
