// Package issuerhttp is the issuer's HTTP API, a thin net/http shell over issuer.Service: the
// wallet-facing OpenID4VCI endpoints (metadata, token, nonce, credential), the Token Status
// Lists, the holders' passkey pages and ceremonies, and the token-authenticated operator API
// under /v1/.
//
// Data flow. Handler routes each request; a handler decodes the body once (strict JSON,
// bounded by MaxBodyBytes or MaxEnrolBytes), calls one Service method and writes its answer.
// Every failure goes through writeError: the error's code (issuer.Error, passkey.Error, or
// storage and credential errors via issuer.AsError) picks the HTTP status in one table
// (statusOfCode), and the body is OAuth-style {error, error_description} plus {code, message}.
// The anonymous wallet routes (token, nonce, credential, passkey ceremonies) pass through
// Config.RateLimit, a per-client token bucket keyed by the TCP peer or a trusted
// proxy's X-Forwarded-For (ratelimit.go): 429 with Retry-After when a client exceeds it.
package issuerhttp
