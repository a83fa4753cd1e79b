package verifier

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/gate"
)

// GateAPI is the fasthttp shell over gate.Service: it routes, decodes once, calls the domain
// and renders. Plug it in with API{GateRoutes: gateAPI.Routes}.
//
//	PUT  /v1/gates/{gate}                     operator token: configure flight and boarding
//	GET  /v1/gates/{gate}                     operator token
//	POST /v1/gates/{gate}/nonce               terminal token → {nonce, audience, expires_at}
//	POST /v1/gates/{gate}/verify              terminal token: {presentation|mdoc+nonce, bcbp, live_template|live_jpeg} → decision
//	POST /v1/gates/{gate}/identify            terminal token: {live_template|live_jpeg} → decision
//	POST /v1/flights/{IG0101}/{date}/nonce    check-in token
//	POST /v1/flights/{IG0101}/{date}/enrol    check-in token: {presentation|mdoc+nonce, bcbp[, departure]}
//	POST /v1/flights/{IG0101}/{date}/enrol-batch  check-in token: {"items":[...]} → 200 {"decisions":[...]}
//	GET  /metrics, /healthz, /readyz
//
// Decisions are JSON with HTTP 200 for allow, 403 for deny, 404 when the gate is unknown and
// 400 when the body is malformed; other errors are {code, message} rendered by Render.
type GateAPI struct {
	Gates *gate.Service
	// OperatorToken, CheckinToken and TerminalToken are the SHA-256 of the bearer tokens of
	// gate operators, airline check-in and gate terminals; zero disables the routes they guard
	// (fail closed). Terminals need one: identify is a face search and verify consumes
	// boardings, neither may be open to anyone on the network.
	OperatorToken TokenHash
	CheckinToken  TokenHash
	TerminalToken TokenHash

	metrics routeMetrics
}

// Routes handles the gate routes and reports whether the path was one of them.
func (a *GateAPI) Routes(ctx *fasthttp.RequestCtx) bool {
	start := time.Now()
	route := a.route(ctx)
	if route == "" {
		return false
	}
	a.metrics.observe(route, ctx.Response.StatusCode(), time.Since(start))
	return true
}

func (a *GateAPI) route(ctx *fasthttp.RequestCtx) string {
	path := string(ctx.Path())
	switch path {
	case "/metrics", "/healthz", "/readyz":
		if !ctx.IsGet() && !ctx.IsHead() {
			writeErr(ctx, &Error{Code: "method_not_allowed", Msg: "GET only"})
			return path[1:]
		}
	}
	switch path {
	case "/metrics":
		ctx.SetContentType("text/plain; version=0.0.4")
		_ = a.metrics.writeRequests(ctx)
		_ = a.Gates.Metrics().WritePrometheus(ctx)
		_ = a.metrics.writeLatency(ctx)
		_ = writeProcessMetrics(ctx)
		return "metrics"
	case "/healthz":
		ctx.SetBodyString("ok\n")
		return "healthz"
	case "/readyz":
		c, cancel := context.WithTimeout(requestContext(ctx), 2*time.Second)
		defer cancel()
		if err := a.Gates.Ready(c); err != nil {
			writeErr(ctx, &Error{Code: "overloaded", Msg: "store not ready"})
		} else {
			ctx.SetBodyString("ok\n")
		}
		return "readyz"
	}
	if rest, ok := strings.CutPrefix(path, "/v1/gates/"); ok {
		id, action, _ := strings.Cut(rest, "/")
		return a.gateRoute(ctx, id, action)
	}
	if rest, ok := strings.CutPrefix(path, "/v1/flights/"); ok {
		parts := strings.Split(rest, "/")
		if len(parts) != 3 || (parts[2] != "nonce" && parts[2] != "enrol" && parts[2] != "enrol-batch") {
			return ""
		}
		a.flightRoute(ctx, parts[0], parts[1], parts[2])
		return "checkin_" + parts[2]
	}
	return ""
}

func (a *GateAPI) gateRoute(ctx *fasthttp.RequestCtx, id, action string) string {
	c := requestContext(ctx)
	switch action {
	case "":
		switch {
		case !a.OperatorToken.Matches(bearer(ctx)):
			writeErr(ctx, gateErr(gate.ErrUnauthorized))
		case ctx.IsPut():
			var u gate.GateUpdate
			if err := DecodeJSON(ctx.PostBody(), &u); err != nil {
				writeErr(ctx, err)
				break
			}
			g, err := a.Gates.PutGate(c, id, u)
			if err != nil {
				writeErr(ctx, gateErr(err))
				break
			}
			writeJSON(ctx, http.StatusOK, g)
		case ctx.IsGet():
			g, err := a.Gates.Gate(c, id)
			if err != nil {
				writeErr(ctx, gateErr(err))
				break
			}
			writeJSON(ctx, http.StatusOK, g)
		default:
			writeErr(ctx, &Error{Code: "method_not_allowed", Msg: "GET or PUT"})
		}
		return "gate_config"
	case "nonce", "verify", "identify":
		if !a.TerminalToken.Matches(bearer(ctx)) {
			writeErr(ctx, gateErr(gate.ErrUnauthorized))
			if action == "nonce" {
				return "gate_nonce"
			}
			return action
		}
	}
	switch action {
	case "nonce":
		if !postOnly(ctx) {
			return "gate_nonce"
		}
		n, err := a.Gates.GateNonce(c, id)
		if err != nil {
			writeErr(ctx, gateErr(err))
			return "gate_nonce"
		}
		writeJSON(ctx, http.StatusCreated, n)
		return "gate_nonce"
	case "verify":
		if !postOnly(ctx) {
			return "verify"
		}
		req, err := gate.DecodeVerifyRequest(ctx.PostBody())
		if err != nil {
			writeDecision(ctx, malformed(id))
			return "verify"
		}
		writeDecision(ctx, a.Gates.Verify(c, id, req))
		return "verify"
	case "identify":
		if !postOnly(ctx) {
			return "identify"
		}
		req, err := gate.DecodeIdentifyRequest(ctx.PostBody())
		if err != nil {
			writeDecision(ctx, malformed(id))
			return "identify"
		}
		writeDecision(ctx, a.Gates.Identify(c, id, req))
		return "identify"
	}
	return ""
}

func (a *GateAPI) flightRoute(ctx *fasthttp.RequestCtx, flight, date, action string) {
	if !postOnly(ctx) {
		return
	}
	if !a.CheckinToken.Matches(bearer(ctx)) {
		writeErr(ctx, gateErr(gate.ErrUnauthorized))
		return
	}
	f, err := gate.ParseFlightPath(flight, date)
	if err != nil {
		writeErr(ctx, gateErr(err))
		return
	}
	if action == "nonce" {
		n, err := a.Gates.CheckinNonce(requestContext(ctx), f)
		if err != nil {
			writeErr(ctx, gateErr(err))
			return
		}
		writeJSON(ctx, http.StatusCreated, n)
		return
	}
	if action == "enrol-batch" {
		a.enrolBatch(ctx, f)
		return
	}
	req, err := gate.DecodeEnrolRequest(ctx.PostBody())
	if err != nil {
		writeDecision(ctx, malformed(""))
		return
	}
	d := a.Gates.Enrol(requestContext(ctx), f, req)
	if d.Allowed() {
		writeJSON(ctx, http.StatusCreated, d)
		return
	}
	writeDecision(ctx, d)
}

// malformed is the decision for a body that does not decode: deny, nothing checked.
func malformed(id string) *gate.Decision {
	return &gate.Decision{Decision: gate.Deny, Reasons: []gate.Reason{gate.ReasonMalformedRequest}, Gate: id,
		Checks: gate.Checks{Credential: gate.CheckSkipped, BoardingPass: gate.CheckSkipped, Flight: gate.CheckSkipped,
			Name: gate.CheckSkipped, Face: gate.CheckSkipped, SingleUse: gate.CheckSkipped, Liveness: gate.CheckSkipped}}
}

func writeDecision(ctx *fasthttp.RequestCtx, d *gate.Decision) {
	status := http.StatusOK
	if !d.Allowed() {
		status = http.StatusForbidden
		switch d.Reasons[0] {
		case gate.ReasonUnknownGate:
			status = http.StatusNotFound
		case gate.ReasonMalformedRequest:
			status = http.StatusBadRequest
		case gate.ReasonInternal:
			status = http.StatusInternalServerError
		}
	}
	writeJSON(ctx, status, d)
}

// gateErr turns a gate error into the verifier's {code, message} error for Render.
func gateErr(err error) error {
	var ge *gate.Error
	if errors.As(err, &ge) {
		if ge.Code == gate.ReasonInternal {
			return err // Render answers 500 "internal error" without details
		}
		return &Error{Code: string(ge.Code), Msg: ge.Msg}
	}
	return err
}

func postOnly(ctx *fasthttp.RequestCtx) bool {
	if !ctx.IsPost() {
		writeErr(ctx, &Error{Code: "method_not_allowed", Msg: "POST only"})
		return false
	}
	return true
}
