// Package b64url decodes unpadded base64url (RFC 4648 §5) canonically: one byte string has one
// spelling. encoding/base64's Strict decoder still skips CR and LF anywhere in its input, so
// "abc\ndef" and "abcdef" decode alike; a value keyed, hashed or compared as received (a nonce
// in a single-use set, a presentation, a token) could then be replayed under a second
// spelling. Every decoder of untrusted base64url in idgate goes through Decode.
package b64url

import (
	"encoding/base64"
	"errors"
)

// ErrNotCanonical is returned for anything but canonical unpadded base64url.
var ErrNotCanonical = errors.New("not canonical unpadded base64url")

// Valid reports whether s is canonical unpadded base64url without decoding it: only the 64
// characters, a length other than 1 mod 4, and zero unused bits in the last character.
func Valid(s string) bool {
	for i := 0; i < len(s); i++ {
		if value(s[i]) < 0 {
			return false
		}
	}
	switch len(s) % 4 {
	case 1:
		return false
	case 2:
		return value(s[len(s)-1])&0x0F == 0
	case 3:
		return value(s[len(s)-1])&0x03 == 0
	}
	return true
}

// Decode decodes s if it is canonical unpadded base64url, else returns ErrNotCanonical.
func Decode(s string) ([]byte, error) {
	if !Valid(s) {
		return nil, ErrNotCanonical
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

func value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '-':
		return 62
	case c == '_':
		return 63
	}
	return -1
}
