package sdjwt

// Bounds on untrusted input. They are generous for real credentials (a PID
// with a portrait is well under 256 KiB) and stop resource exhaustion.
const (
	MaxTokenBytes     = 1 << 20 // whole SD-JWT(+KB) string
	MaxDisclosures    = 1024    // disclosures in one token
	MaxDepth          = 32      // JSON nesting while processing the payload
	maxKBBytes        = 8 << 10 // a KB-JWT is a few hundred bytes
	maxPathSegments   = MaxDepth
	defaultKBMaxAge   = 5 * 60 // seconds
	defaultKBSkewSecs = 30
	saltBytes         = 16 // 128-bit salt, RFC 9901 §9.3
)
