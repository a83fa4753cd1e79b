package jsonscan

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Error is a syntax error at a byte offset of the body. It never quotes the body: request
// bodies hold credentials.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("jsonscan: %s at offset %d", e.Msg, e.Offset) }

func errAt(off int, msg string) error { return &Error{Offset: off, Msg: msg} }

// Visitor receives one member. name is the raw member name (no escapes possible); raw is the
// value's literal including its quotes; val is the decoded value. name, raw and, when the
// literal has no escapes, val alias the body.
type Visitor func(name, raw, val []byte) error

// FlatObject scans body as exactly one JSON object whose values are all strings, calling visit
// for each member in order. It returns the first syntax error (*Error) or the visitor's error
// unchanged.
func FlatObject(body []byte, visit Visitor) error {
	i := skipWS(body, 0)
	if i >= len(body) || body[i] != '{' {
		return errAt(i, "expected '{'")
	}
	i = skipWS(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			if i >= len(body) || body[i] != '"' {
				return errAt(i, "expected a member name")
			}
			end, esc, err := scanString(body, i+1)
			if err != nil {
				return err
			}
			if esc {
				return errAt(i, "escaped member name")
			}
			name := body[i+1 : end]
			i = skipWS(body, end+1)
			if i >= len(body) || body[i] != ':' {
				return errAt(i, "expected ':'")
			}
			i = skipWS(body, i+1)
			if i >= len(body) || body[i] != '"' {
				return errAt(i, "member value is not a string")
			}
			start := i
			if end, esc, err = scanString(body, i+1); err != nil {
				return err
			}
			val := body[start+1 : end]
			if esc {
				if val, err = unescape(val, start+1); err != nil {
					return err
				}
			}
			if err := visit(name, body[start:end+1], val); err != nil {
				return err
			}
			i = skipWS(body, end+1)
			if i < len(body) && body[i] == ',' {
				i = skipWS(body, i+1)
				continue
			}
			if i < len(body) && body[i] == '}' {
				i++
				break
			}
			return errAt(i, "expected ',' or '}'")
		}
	}
	if j := skipWS(body, i); j != len(body) {
		return errAt(j, "data after the object")
	}
	return nil
}

// skipWS skips RFC 8259 whitespace: space, tab, line feed, carriage return.
func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain reports whether none of the eight bytes of w is '"', '\\', a control character (< 0x20)
// or non-ASCII (>= 0x80). The zero-byte tests are exact as "any" predicates (bit-twiddling
// hasless/haszero with n <= 0x80).
func plain(w uint64) bool {
	q := w ^ (ones * '"')
	bs := w ^ (ones * '\\')
	special := (q - ones) &^ q
	special |= (bs - ones) &^ bs
	special |= (w - ones*0x20) &^ w
	return (special|w)&highs == 0
}

// scanString scans a string body starting just after its opening quote and returns the index
// of the closing quote and whether any escape occurred. It rejects raw control characters and
// invalid UTF-8 and checks that every backslash is followed by a byte; unescape validates the
// escapes themselves.
func scanString(b []byte, i int) (end int, esc bool, err error) {
	for {
		for i+8 <= len(b) && plain(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		if i >= len(b) {
			return 0, false, errAt(i, "unterminated string")
		}
		for stop := min(i+8, len(b)); i < stop; {
			switch c := b[i]; {
			case c == '"':
				return i, esc, nil
			case c == '\\':
				if i+1 >= len(b) {
					return 0, false, errAt(i, "unterminated string")
				}
				esc = true
				i += 2
			case c < 0x20:
				return 0, false, errAt(i, "control character in string")
			case c < utf8.RuneSelf:
				i++
			default:
				r, size := utf8.DecodeRune(b[i:])
				if r == utf8.RuneError && size == 1 {
					return 0, false, errAt(i, "invalid UTF-8 in string")
				}
				i += size
			}
		}
	}
}

// unescape decodes the escapes of s (a string body already checked by scanString; off is its
// offset in the body, for errors) per RFC 8259 section 7.
func unescape(s []byte, off int) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		// scanString guarantees a byte after every backslash inside the string.
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(s, i+2)
			if !ok {
				return nil, errAt(off+i, "invalid \\u escape")
			}
			n := 6
			if utf16.IsSurrogate(r) {
				lo, ok := rune(0), r < 0xDC00 && i+12 <= len(s) && s[i+6] == '\\' && s[i+7] == 'u'
				if ok {
					lo, ok = hex4(s, i+8)
				}
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return nil, errAt(off+i, "unpaired surrogate")
				}
				r, n = utf16.DecodeRune(r, lo), 12
			}
			out = utf8.AppendRune(out, r)
			i += n
			continue
		default:
			return nil, errAt(off+i, "invalid escape")
		}
		i += 2
	}
	return out, nil
}

// hex4 decodes the four hex digits at s[i:].
func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
