package airline

import (
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/api"
	"github.com/idgate/idgate/api/apitest"
	"github.com/idgate/idgate/boardingpass"
)

// TestOpenAPI keeps api/airline.yaml true: the routes the handler registers are the
// document's operations, every documented path is answered, the examples are accepted by the
// real handler and every answer matches the document.
func TestOpenAPI(t *testing.T) {
	doc := apitest.Load(t, api.Airline)
	apitest.CheckRoutes(t, doc, apitest.MuxRoutes(t, "."))

	i, trust := newIssuer(t)
	srv := httptest.NewServer(i.Handler(sha256.Sum256([]byte("checkin-secret"))))
	defer srv.Close()
	c := apitest.NewClient(t, doc, srv.URL)
	c.Tokens["checkinToken"] = "checkin-secret"

	// ServeMux answers a path or method it has no handler for in plain text.
	routed := func(r apitest.Response) bool {
		return !(r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed) ||
			strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
	}
	apitest.CheckAnswered(c, routed)

	apitest.RunExamples(c, []apitest.Case{
		{Op: "issuePass", Want: http.StatusCreated, Check: func(t testing.TB, r apitest.Response) {
			if _, err := boardingpass.Verify(r.JSON()["bcbp"].(string), trust, time.Now()); err != nil {
				t.Errorf("example pass does not verify: %v", err)
			}
		}},
		{Op: "getOpenAPI", Want: http.StatusOK},
		{Op: "healthz", Want: http.StatusOK},
	})

	// Error answers match the document too.
	for _, tc := range []struct {
		name   string
		req    apitest.Request
		status int
		code   string
	}{
		{"no token", apitest.Request{Method: "POST", Path: "/v1/passes", ContentType: "application/json",
			Body: []byte(`{"name":"A/B","pnr":"X","from":"FRA","to":"LHR","flight":"1","date":"2026-12-01","seat":"1A","seq":"1"}`), NoAuth: true}, 401, "unauthorized"},
		{"bad seat", apitest.Request{Method: "POST", Path: "/v1/passes", ContentType: "application/json",
			Body: []byte(`{"name":"A/B","pnr":"X","from":"FRA","to":"LHR","flight":"1","date":"2026-12-01","seat":"12AB34","seq":"1"}`)}, 400, "invalid_request"},
		{"unknown member", apitest.Request{Method: "POST", Path: "/v1/passes", ContentType: "application/json",
			Body: []byte(`{"name":"A/B","gate":"x"}`), Invalid: true}, 400, "malformed_json"},
	} {
		if r := c.Do(tc.req); r.Status != tc.status || r.Code() != tc.code {
			t.Errorf("%s: got %s, want %d %s", tc.name, r, tc.status, tc.code)
		}
	}
}
