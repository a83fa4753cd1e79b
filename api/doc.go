// Package api holds the OpenAPI 3.1 documents of idgate's HTTP servers (issuer.yaml,
// verifier.yaml, airline.yaml) and serves each as JSON at GET /openapi.json. The documents are
// embedded; JSON converts them once, on first use. Package apitest checks them against the
// real servers.
package api
