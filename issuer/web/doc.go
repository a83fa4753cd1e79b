// Package web holds the issuer's holder-facing pages, embedded in the binary: passkey
// registration (register.html, opened from an operator's invitation link) and offer
// collection (offers.html). passkey.js runs the WebAuthn ceremonies against the issuer's
// /passkey/* JSON endpoints; no external assets, so the pages work offline and under a
// strict same-origin Content-Security-Policy.
package web

import (
	"embed"
	"io/fs"
)

//go:embed *.html *.js *.css
var files embed.FS

// Files returns the embedded pages and scripts.
func Files() fs.FS { return files }
