// Package verifier is idgate's verification service on fasthttp. Relying parties (banks, rental
// desks) create a presentation request — a fresh single-use nonce, the audience and the claims
// they need — hand it to the holder's wallet, and post back the SD-JWT + KB-JWT presentation;
// the answer is the verified, disclosed claims or a typed {code, message} error.
//
// Data flow: http.go decodes once and calls RP (rp.go), which consumes the request from the
// RequestStore (single use, so a replayed nonce fails) and runs credential.Verifier: RFC 9901
// checks, trust list, time, key binding and the Token Status List (fetched, signature-checked and
// cached by statuslist.Checker; unreachable means reject). errors.go is the one mapping from
// domain errors to HTTP statuses and codes. The gate routes (gate_http.go, API.GateRoutes) are
// the same shell over gate.Service; route_metrics.go counts their requests and latency.
// Handlers hand the domain requestContext (context.go), which ends when the server shuts down.
//
// Tokens (token.go). Every bearer token is configured as its SHA-256 (TokenHash) and read by
// one parser; a zero TokenHash admits nobody. The relying-party routes without a token are
// open only with API.OpenRP.
//
// Limits. The relying-party routes are limited per client (ratelimit.go: API.Limit, a token
// bucket keyed by the TCP peer or, behind API.Proxies, the forwarded address; 429 rate_limited
// with Retry-After), before the token is checked, and the request store bounds each client's
// open requests (429 too_many_open_requests), so one client cannot fill it. The gate routes are
// not limited per address: gate terminals and check-in systems authenticate with bearer
// tokens on every call, many terminals share one address, and a boarding peak must not be
// throttled; a request without the token costs a hash and a 401.
package verifier
