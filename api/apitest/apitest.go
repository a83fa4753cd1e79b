// Package apitest keeps the OpenAPI documents of package api true to the servers: it loads and
// validates a document (kin-openapi), checks its examples against their schemas, lists the
// routes a net/http server registers, and drives a live server with a client that validates
// every request and every answer against the document (openapi3filter).
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/idgate/idgate/api"
)

func init() {
	// Text bodies the documents declare besides JSON: compare them as strings.
	for _, ct := range []string{"text/html", "text/javascript", "text/css", "application/statuslist+jwt"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}

// Load returns document name as the servers serve it (api.JSON), validated as OpenAPI 3.1.
// Validation includes the document's examples.
func Load(t testing.TB, name string) *openapi3.T {
	t.Helper()
	raw, err := api.JSON(name)
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("%s: load: %v", name, err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("%s: openapi %q, want 3.1", name, doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s: invalid OpenAPI: %v", name, err)
	}
	return doc
}

// Op is one operation of a document.
type Op struct {
	Method, Path string
	Item         *openapi3.PathItem
	*openapi3.Operation
}

// Params are the operation's parameters and its path item's.
func (o Op) Params() openapi3.Parameters {
	return append(append(openapi3.Parameters{}, o.Item.Parameters...), o.Parameters...)
}

func (o Op) String() string { return o.Method + " " + o.Path }

// Ops lists the operations of doc sorted by path and method.
func Ops(doc *openapi3.T) []Op {
	var out []Op
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out = append(out, Op{Method: method, Path: path, Item: item, Operation: op})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// OpByID returns the operation with operationId id.
func OpByID(t testing.TB, doc *openapi3.T, id string) Op {
	t.Helper()
	for _, o := range Ops(doc) {
		if o.OperationID == id {
			return o
		}
	}
	t.Fatalf("no operation %q in the document", id)
	return Op{}
}

// CheckExamples validates every example of doc (parameters, request bodies, responses) against
// its schema with JSON Schema 2020-12, and fails when an operation has a request body without
// an example or a success response without one (text bodies excepted).
func CheckExamples(t testing.TB, doc *openapi3.T) {
	t.Helper()
	n := 0
	check := func(where string, s *openapi3.SchemaRef, v any) {
		n++
		if s == nil || s.Value == nil {
			t.Errorf("%s: example without a schema", where)
			return
		}
		if err := s.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			t.Errorf("%s: example does not match its schema: %v", where, err)
		}
	}
	media := func(where string, mt *openapi3.MediaType) int {
		k := 0
		if mt.Example != nil {
			check(where, mt.Schema, mt.Example)
			k++
		}
		for name, ex := range mt.Examples {
			if ex.Value != nil {
				check(where+" example "+name, mt.Schema, ex.Value.Value)
				k++
			}
		}
		return k
	}
	for _, o := range Ops(doc) {
		for _, p := range o.Params() {
			if p.Value != nil && p.Value.Example != nil {
				check(o.String()+" parameter "+p.Value.Name, p.Value.Schema, p.Value.Example)
			}
		}
		if rb := o.RequestBody; rb != nil && rb.Value != nil {
			for ct, mt := range rb.Value.Content {
				if media(o.String()+" request "+ct, mt) == 0 {
					t.Errorf("%s: request body %s has no example", o, ct)
				}
			}
		}
		for status, r := range o.Responses.Map() {
			if r.Value == nil {
				continue
			}
			for ct, mt := range r.Value.Content {
				k := media(fmt.Sprintf("%s response %s %s", o, status, ct), mt)
				json := strings.HasSuffix(ct, "json")
				if k == 0 && json && strings.HasPrefix(status, "2") && o.OperationID != "getOpenAPI" {
					t.Errorf("%s: response %s has no example", o, status)
				}
			}
		}
	}
	if n == 0 {
		t.Error("the document has no examples")
	}
}

// Client drives a live server and validates the exchanges against a document.
type Client struct {
	T      testing.TB
	Doc    *openapi3.T
	Base   string            // e.g. http://127.0.0.1:8080
	Tokens map[string]string // security scheme name → bearer token sent when an operation needs it
	HTTP   *http.Client
	router routers.Router
}

// NewClient returns a Client for the server at base.
func NewClient(t testing.TB, doc *openapi3.T, base string) *Client {
	t.Helper()
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{T: t, Doc: doc, Base: strings.TrimRight(base, "/"), Tokens: map[string]string{},
		HTTP: &http.Client{Timeout: 30 * time.Second}, router: r}
}

// Response is a server's answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as a JSON object (nil when it is not one).
func (r Response) JSON() map[string]any {
	var m map[string]any
	if json.Unmarshal(r.Body, &m) != nil {
		return nil
	}
	return m
}

// Code is the body's "code" member, if any.
func (r Response) Code() string {
	s, _ := r.JSON()["code"].(string)
	return s
}

func (r Response) String() string {
	b := r.Body
	if len(b) > 300 {
		b = append(b[:300:300], "…"...)
	}
	return fmt.Sprintf("%d %s", r.Status, b)
}

// Request is one call. Body nil sends none. Header entries are added as given; when
// Authorization is not set, the token of the operation's security scheme (Client.Tokens)
// is sent. NoAuth sends no Authorization at all.
type Request struct {
	Method, Path string
	ContentType  string
	Body         []byte
	Header       http.Header
	NoAuth       bool
	// Invalid marks a request that is meant to break the document (a negative test): it is
	// not validated, its answer is.
	Invalid bool
}

// Do sends req, validating the request (unless req.Invalid) and the response, whose status
// must be one the document lists for the operation. It fails the test on any mismatch.
func (c *Client) Do(req Request) Response {
	c.T.Helper()
	hr, route, params := c.build(req)
	resp := c.send(hr, req.Body)
	if route == nil {
		c.T.Errorf("%s %s: not in the document", req.Method, req.Path)
		return resp
	}
	c.validate(hr, req, route, params, resp)
	return resp
}

// Unrouted sends a request that the document does not describe (no validation at all),
// with bearer token when it is not empty.
func (c *Client) Unrouted(method, path, token string) Response {
	c.T.Helper()
	hr, err := http.NewRequest(method, c.Base+path, nil)
	if err != nil {
		c.T.Fatal(err)
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	return c.send(hr, nil)
}

func (c *Client) build(req Request) (*http.Request, *routers.Route, map[string]string) {
	c.T.Helper()
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequest(req.Method, c.Base+req.Path, body)
	if err != nil {
		c.T.Fatal(err)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if req.ContentType != "" {
		hr.Header.Set("Content-Type", req.ContentType)
	}
	route, params, err := c.router.FindRoute(hr)
	if err != nil {
		return hr, nil, nil
	}
	if !req.NoAuth && hr.Header.Get("Authorization") == "" {
		if tok := c.tokenFor(route); tok != "" {
			hr.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	return hr, route, params
}

func (c *Client) tokenFor(route *routers.Route) string {
	for _, req := range security(route) {
		for scheme := range req {
			if tok := c.Tokens[scheme]; tok != "" {
				return tok
			}
		}
	}
	return ""
}

func security(route *routers.Route) openapi3.SecurityRequirements {
	if route.Operation.Security != nil {
		return *route.Operation.Security
	}
	return route.Spec.Security
}

func (c *Client) send(hr *http.Request, body []byte) Response {
	c.T.Helper()
	if body != nil {
		hr.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := c.HTTP.Do(hr)
	if err != nil {
		c.T.Fatalf("%s %s: %v", hr.Method, hr.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.T.Fatalf("%s %s: reading the answer: %v", hr.Method, hr.URL.Path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// bearerAuth accepts a request that carries an Authorization: Bearer header for an http
// bearer scheme: the server decides whether the token is good, the document only says one
// is needed.
func bearerAuth(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "http" || !strings.EqualFold(s.Scheme, "bearer") {
		return fmt.Errorf("scheme %s is not http bearer", in.SecuritySchemeName)
	}
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	if len(h) <= 7 || !strings.EqualFold(h[:7], "bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

func (c *Client) validate(hr *http.Request, req Request, route *routers.Route, params map[string]string, resp Response) {
	c.T.Helper()
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: bearerAuth}
	in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route, Options: opts}
	if !req.Invalid {
		if req.NoAuth {
			// The request is meant to lack credentials; everything else must be valid.
			opts.AuthenticationFunc = func(context.Context, *openapi3filter.AuthenticationInput) error { return nil }
		}
		if req.Body != nil {
			hr.Body = io.NopCloser(bytes.NewReader(req.Body))
		}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			c.T.Errorf("%s %s: request does not match the document: %v", req.Method, req.Path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.Status, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(resp.Body)), Options: opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.T.Errorf("%s %s: answer %s does not match the document: %v", req.Method, req.Path, resp, err)
	}
}

// Case is one operation's example request and the status its real handler answers.
type Case struct {
	Op      string            // operationId
	Example string            // named request example; "" takes the media type's example
	Params  map[string]string // path and query values instead of the parameters' examples
	Want    int               // expected status
	Check   func(t testing.TB, r Response)
}

// RunExamples sends each case's documented example request to the server (validated, with
// the documented parameter examples unless overridden) and checks the status. It fails when
// an operation of the document has no case, so every operation's example meets its handler.
func RunExamples(c *Client, cases []Case) {
	t := c.T
	t.Helper()
	seen := map[string]bool{}
	for _, k := range cases {
		seen[k.Op] = true
		o := OpByID(t, c.Doc, k.Op)
		req := Request{Method: o.Method, Path: ExamplePath(t, o, k.Params)}
		if rb := o.RequestBody; rb != nil && rb.Value != nil {
			req.ContentType, req.Body = exampleBody(t, o, k.Example)
		}
		r := c.Do(req)
		if r.Status != k.Want {
			t.Errorf("%s (%s) example: got %s, want %d", k.Op, o, r, k.Want)
			continue
		}
		if k.Check != nil {
			k.Check(t, r)
		}
	}
	for _, o := range Ops(c.Doc) {
		if !seen[o.OperationID] {
			t.Errorf("%s (%s): no example case", o.OperationID, o)
		}
	}
}

// ExamplePath is o's path with each path and query parameter's example (or params' value).
func ExamplePath(t testing.TB, o Op, params map[string]string) string {
	t.Helper()
	path := o.Path
	var query []string
	for _, p := range o.Params() {
		v, ok := params[p.Value.Name]
		if !ok && p.Value.Example != nil {
			v, ok = fmt.Sprint(p.Value.Example), true
		}
		switch {
		case p.Value.In == "path" && !ok:
			t.Fatalf("%s: path parameter %s has no example", o, p.Value.Name)
		case p.Value.In == "path":
			path = strings.ReplaceAll(path, "{"+p.Value.Name+"}", v)
		case p.Value.In == "query" && ok:
			query = append(query, p.Value.Name+"="+v)
		}
	}
	if len(query) > 0 {
		path += "?" + strings.Join(query, "&")
	}
	return path
}

// exampleBody encodes o's request example for its (first) media type.
func exampleBody(t testing.TB, o Op, name string) (contentType string, body []byte) {
	t.Helper()
	cts := make([]string, 0, len(o.RequestBody.Value.Content))
	for ct := range o.RequestBody.Value.Content {
		cts = append(cts, ct)
	}
	slices.Sort(cts)
	ct := cts[0]
	mt := o.RequestBody.Value.Content[ct]
	var v any
	switch {
	case name != "":
		ex := mt.Examples[name]
		if ex == nil || ex.Value == nil {
			t.Fatalf("%s: no request example %q", o, name)
		}
		v = ex.Value.Value
	case mt.Example != nil:
		v = mt.Example
	default:
		names := make([]string, 0, len(mt.Examples))
		for n := range mt.Examples {
			names = append(names, n)
		}
		slices.Sort(names)
		if len(names) == 0 {
			t.Fatalf("%s: no request example", o)
		}
		v = mt.Examples[names[0]].Value.Value
	}
	return ct, Encode(t, ct, v)
}

// Encode writes an example value in content type ct (JSON or a form).
func Encode(t testing.TB, ct string, v any) []byte {
	t.Helper()
	if ct == "application/x-www-form-urlencoded" {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("form example %v is not an object", v)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, formEscape(k)+"="+formEscape(fmt.Sprint(m[k])))
		}
		return []byte(strings.Join(parts, "&"))
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func formEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Methods are the methods probed on every documented path.
var Methods = []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch}

// CheckAnswered probes the server at every documented path: each documented method, sent
// without credentials or body, must reach a handler (routed(r) true, and an answer the document
// lists for the operation); each other method, sent with the token a documented method of the
// path takes (so an authentication check cannot hide the method check), must not (routed(r)
// false). Path parameters take their examples.
func CheckAnswered(c *Client, routed func(Response) bool) {
	t := c.T
	t.Helper()
	byPath := map[string][]Op{}
	for _, o := range Ops(c.Doc) {
		byPath[o.Path] = append(byPath[o.Path], o)
	}
	for _, ops := range byPath {
		path := ExamplePath(t, ops[0], nil)
		documented := map[string]bool{}
		for _, o := range ops {
			documented[o.Method] = true
			r := c.Do(Request{Method: o.Method, Path: ExamplePath(t, o, nil), NoAuth: true, Invalid: true})
			if !routed(r) {
				t.Errorf("%s: documented but not answered by the server: %s", o, r)
			}
		}
		token := ""
		for _, o := range ops {
			if route, _, err := c.router.FindRoute(mustRequest(t, o.Method, c.Base+path)); err == nil && token == "" {
				token = c.tokenFor(route)
			}
		}
		for _, m := range Methods {
			if documented[m] {
				continue
			}
			if r := c.Unrouted(m, path, token); routed(r) {
				t.Errorf("%s %s: answered by the server (%s) but not in the document", m, ops[0].Path, r)
			}
		}
	}
}

func mustRequest(t testing.TB, method, url string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// CheckRoutes compares the routes a server registers ("METHOD /path" patterns, e.g. from
// MuxRoutes) with the operations of doc.
func CheckRoutes(t testing.TB, doc *openapi3.T, registered []string) {
	t.Helper()
	if len(registered) == 0 {
		t.Fatal("no registered routes found")
	}
	inDoc := map[string]bool{}
	for _, o := range Ops(doc) {
		inDoc[o.String()] = true
	}
	inCode := map[string]bool{}
	for _, r := range registered {
		inCode[r] = true
		if !inDoc[r] {
			t.Errorf("route %s is served but not in the document", r)
		}
	}
	for r := range inDoc {
		if !inCode[r] {
			t.Errorf("operation %s is in the document but no handler is registered for it", r)
		}
	}
}
