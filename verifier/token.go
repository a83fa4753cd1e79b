package verifier

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"github.com/valyala/fasthttp"
)

// TokenHash is how the verifier is configured with a bearer token (operator, check-in,
// terminal, relying party): only its SHA-256 is kept. The zero TokenHash names no token and
// admits nobody.
type TokenHash [sha256.Size]byte

// HashToken hashes a bearer token for configuration.
func HashToken(token string) TokenHash { return sha256.Sum256([]byte(token)) }

// Matches compares a presented token with the hash in constant time. The zero hash (no token
// configured) matches nothing, nor does an empty token.
func (h TokenHash) Matches(token []byte) bool {
	if h == (TokenHash{}) || len(token) == 0 {
		return false
	}
	got := sha256.Sum256(token)
	return subtle.ConstantTimeCompare(got[:], h[:]) == 1
}

// bearer returns the token of an "Authorization: Bearer" header, the scheme matched without
// regard to case (RFC 9110 section 11.1); nil when absent.
func bearer(ctx *fasthttp.RequestCtx) []byte {
	h := ctx.Request.Header.Peek("Authorization")
	const p = "Bearer "
	if len(h) <= len(p) || !strings.EqualFold(string(h[:len(p)]), p) {
		return nil
	}
	return h[len(p):]
}
