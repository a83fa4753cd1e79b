package verifier

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/api"
	"github.com/idgate/idgate/internal/jsonscan"
	"github.com/idgate/idgate/internal/ratelimit"
	"github.com/idgate/idgate/oid4vp"
)

// MaxBodyBytes bounds a relying-party request body (a presentation with a face template is a
// few KB).
const MaxBodyBytes = 256 << 10

// MaxServerBodyBytes is the largest body the server reads on any route: a gate capture, a
// live JPEG in base64 with the presentation and the boarding pass (the gate bounds its fields
// within it).
const MaxServerBodyBytes = 3 << 20

// API is the fasthttp shell over the verifier's domain services.
type API struct {
	RP *RP
	// VP, when set, serves OpenID4VP: relying parties create transactions with a DCQL query,
	// wallets fetch the signed request and post their response (openid4vp_http.go).
	VP *VP
	// RPToken is the hash of the bearer token relying parties send on the presentation-request
	// routes. Zero (no token) closes them, unless OpenRP.
	RPToken TokenHash
	// OpenRP serves the relying-party routes to anyone when RPToken is zero (development, or
	// a verifier that only serves its own front end behind a proxy that authenticates).
	OpenRP bool
	// GateRoutes (GateAPI.Routes) are tried first; they return false when the path is not theirs.
	GateRoutes func(ctx *fasthttp.RequestCtx) bool
	// Limit, when set, bounds each client's requests on the relying-party routes (checked
	// before the token, so guessing is limited too); the gate's routes are not limited here.
	Limit *ratelimit.Limiter
	// Proxies are the reverse proxies whose X-Forwarded-For names the client, for Limit and
	// for the request store's per-client bound.
	Proxies ratelimit.Proxies
	// Refusals, when set, logs refusals for load (rate limit, open-request bounds).
	Refusals *RefusalLog
}

// Handler routes requests. It decodes once, calls the domain, and renders errors through Render.
func (a *API) Handler(ctx *fasthttp.RequestCtx) {
	if a.GateRoutes != nil && a.GateRoutes(ctx) {
		return
	}
	path := string(ctx.Path())
	switch {
	case path == "/healthz" || path == "/readyz":
		if !ctx.IsGet() && !ctx.IsHead() {
			writeErr(ctx, &Error{Code: "method_not_allowed", Msg: "GET only"})
			return
		}
		ctx.SetBodyString("ok\n")
	case path == api.Path:
		serveOpenAPI(ctx)
	case strings.HasPrefix(path, "/v1/presentation-requests"):
		a.rpRoute(ctx, path)
	case strings.HasPrefix(path, "/v1/openid4vp/"):
		a.walletRoute(ctx, path)
	default:
		writeErr(ctx, &Error{Code: "not_found", Msg: "no such route"})
	}
}

// rpRoute serves the relying-party routes: rate limit, token, then the route.
func (a *API) rpRoute(ctx *fasthttp.RequestCtx, path string) {
	client := a.clientKey(ctx)
	switch {
	case !a.allow(ctx, client):
	case !a.rpAuthorized(ctx):
		writeErr(ctx, &Error{Code: "unauthorized", Msg: "relying-party token required"})
	case path == "/v1/presentation-requests":
		if !ctx.IsPost() {
			writeErr(ctx, &Error{Code: "method_not_allowed", Msg: "POST only"})
			return
		}
		a.createRequest(ctx, client)
		a.refusedForLoad(ctx, client)
	case strings.HasPrefix(path, "/v1/presentation-requests/") && strings.HasSuffix(path, "/verify"):
		if !ctx.IsPost() {
			writeErr(ctx, &Error{Code: "method_not_allowed", Msg: "POST only"})
			return
		}
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/v1/presentation-requests/"), "/verify")
		if id == "" || strings.Contains(id, "/") {
			writeErr(ctx, &Error{Code: "not_found", Msg: "no such route"})
			return
		}
		a.verify(ctx, id)
	case a.VP != nil && strings.HasPrefix(path, "/v1/presentation-requests/"):
		a.vpRPRoute(ctx, strings.TrimPrefix(path, "/v1/presentation-requests/"))
	default:
		writeErr(ctx, &Error{Code: "not_found", Msg: "no such route"})
	}
}

// vpRPRoute serves GET /v1/presentation-requests/{id} (the outcome) and its QR codes,
// /{id}/qr.png and /{id}/qr.svg.
func (a *API) vpRPRoute(ctx *fasthttp.RequestCtx, rest string) {
	id, kind, _ := strings.Cut(rest, "/")
	if !validID(id) || (kind != "" && kind != "qr.png" && kind != "qr.svg") {
		writeErr(ctx, &Error{Code: "not_found", Msg: "no such route"})
		return
	}
	if !ctx.IsGet() {
		writeErr(ctx, &Error{Code: "method_not_allowed", Msg: "GET only"})
		return
	}
	switch kind {
	case "":
		a.vpOutcome(ctx, id)
	case "qr.png":
		a.vpQR(ctx, id, "png")
	default:
		a.vpQR(ctx, id, "svg")
	}
}

// serveOpenAPI answers GET with the verifier's OpenAPI document (api/verifier.yaml).
func serveOpenAPI(ctx *fasthttp.RequestCtx) {
	if !ctx.IsGet() && !ctx.IsHead() {
		writeErr(ctx, &Error{Code: "method_not_allowed", Msg: "GET only"})
		return
	}
	doc, err := api.JSON(api.Verifier)
	if err != nil {
		writeErr(ctx, err)
		return
	}
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "max-age=300")
	ctx.SetBody(doc)
}

// createRequest opens a presentation request. With dcql_query it is an OpenID4VP transaction
// ({id, expires_at, request_uri, authorization_request}); with {vct, claims} it is a request
// for direct posting ({id, nonce, audience, …}), and, when OpenID4VP is served, the same
// claims also open an OpenID4VP transaction whose link the answer carries.
func (a *API) createRequest(ctx *fasthttp.RequestCtx, client string) {
	var in struct {
		VCT         string          `json:"vct"`
		Claims      []string        `json:"claims"`
		DCQLQuery   json.RawMessage `json:"dcql_query"`
		RedirectURI string          `json:"redirect_uri"`
	}
	if err := DecodeJSON(ctx.PostBody(), &in); err != nil {
		writeErr(ctx, err)
		return
	}
	if in.DCQLQuery != nil {
		if a.VP == nil {
			writeErr(ctx, &Error{Code: "invalid_request", Msg: "this verifier does not serve OpenID4VP"})
			return
		}
		if in.VCT != "" || in.Claims != nil {
			writeErr(ctx, &Error{Code: "invalid_request", Msg: "send dcql_query or {vct, claims}, not both"})
			return
		}
		q, err := oid4vp.ParseQuery(in.DCQLQuery)
		if err != nil {
			writeErr(ctx, err)
			return
		}
		c, err := a.VP.CreateWithID(requestContext(ctx), random(16), client, q, CreateOptions{RedirectURI: in.RedirectURI})
		if err != nil {
			writeErr(ctx, err)
			return
		}
		writeJSON(ctx, http.StatusCreated, c)
		return
	}
	if in.RedirectURI != "" && a.VP == nil {
		writeErr(ctx, &Error{Code: "invalid_request", Msg: "redirect_uri: this verifier does not serve OpenID4VP"})
		return
	}
	if in.RedirectURI != "" {
		if err := checkRedirectURI(in.RedirectURI); err != nil { // before the direct-posting request is opened
			writeErr(ctx, err)
			return
		}
	}
	r, err := a.RP.CreateRequestFor(client, in.VCT, in.Claims)
	if err != nil {
		writeErr(ctx, err)
		return
	}
	if a.VP == nil {
		writeJSON(ctx, http.StatusCreated, r)
		return
	}
	q, err := QueryFromClaims(in.VCT, in.Claims)
	if err != nil {
		writeErr(ctx, err)
		return
	}
	c, err := a.VP.CreateWithID(requestContext(ctx), r.ID, client, q, CreateOptions{RedirectURI: in.RedirectURI})
	if err != nil {
		writeErr(ctx, err)
		return
	}
	writeJSON(ctx, http.StatusCreated, struct {
		PresentationRequest
		RequestURI           string `json:"request_uri"`
		AuthorizationRequest string `json:"authorization_request"`
	}{r, c.RequestURI, c.AuthorizationRequest})
}

func (a *API) verify(ctx *fasthttp.RequestCtx, id string) {
	var in struct {
		Presentation string `json:"presentation"`
	}
	if err := DecodeJSON(ctx.PostBody(), &in); err != nil {
		writeErr(ctx, err)
		return
	}
	if in.Presentation == "" {
		writeErr(ctx, &Error{Code: "invalid_request", Msg: "presentation is required"})
		return
	}
	v, err := a.RP.Verify(requestContext(ctx), id, in.Presentation)
	if err != nil {
		writeErr(ctx, err)
		return
	}
	writeJSON(ctx, http.StatusOK, v)
}

// DecodeJSON strictly decodes one JSON object (jsonscan.Decode): exact member names, no
// duplicates, no unknown members, nothing after the value.
func DecodeJSON(body []byte, v any) error {
	if len(body) > MaxBodyBytes {
		return &Error{Code: "body_too_large", Msg: "request body too large"}
	}
	if err := jsonscan.Decode(body, v, jsonscan.Options{}); err != nil {
		return &Error{Code: "malformed_json", Msg: "request body is not the expected JSON object: " + err.Error()}
	}
	return nil
}

func writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	_ = json.NewEncoder(ctx).Encode(v)
}

func writeErr(ctx *fasthttp.RequestCtx, err error) {
	status, body := Render(err)
	writeJSON(ctx, status, body)
}

// rpAuthorized checks the relying party's bearer token; without one configured the routes
// are open only if OpenRP says so.
func (a *API) rpAuthorized(ctx *fasthttp.RequestCtx) bool {
	if a.RPToken == (TokenHash{}) {
		return a.OpenRP
	}
	return a.RPToken.Matches(bearer(ctx))
}
