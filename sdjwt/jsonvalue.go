package sdjwt

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// decodeJSON decodes one JSON text (RFC 8259) into the same value encoding/json.Unmarshal
// produces for an `any` target: map[string]any, []any, string, float64, bool or nil. It
// accepts and rejects exactly what encoding/json accepts and rejects (FuzzDecodeJSON checks
// this differentially): invalid UTF-8 and lone surrogates become U+FFFD, a repeated object key
// keeps its last value, numbers out of float64 range are errors, nesting stops at
// encoding/json's limit.
//
// Why not encoding/json: it scans every document twice (validation, then decoding) and goes
// through reflection for each value; on the verifier's hot path (issuer payload, every
// disclosure, the KB-JWT) that cost about as much as one ECDSA verification.
//
// b is taken over: strings without escapes alias it instead of being copied, so the caller
// must never modify b afterwards. Every caller passes a buffer it has just base64-decoded
// and keeps no other reference to.
func decodeJSON(b []byte) (any, error) { return new(jsonDecoder).decode(b, false) }

// newJSONDecoder returns a decoder to reuse for every JSON text of one verification, so
// its value stacks are allocated once rather than per text.
func newJSONDecoder() *jsonDecoder {
	return &jsonDecoder{vals: make([]any, 0, 64), keys: make([]string, 0, 32)}
}

// decode decodes b (see decodeJSON); noDupKeys refuses repeated member names.
func (d *jsonDecoder) decode(b []byte, noDupKeys bool) (any, error) {
	d.b, d.i, d.noDupKeys = b, 0, noDupKeys
	d.vals, d.keys = d.vals[:0], d.keys[:0]
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.i != len(d.b) {
		return nil, errJSONSyntax
	}
	return v, nil
}

// decodeObject decodes a JSON text that must be an object, as json.Unmarshal into a
// map[string]any followed by a nil check did.
func (d *jsonDecoder) decodeObject(b []byte) (map[string]any, error) {
	return asObject(d.decode(b, false))
}

// decodeHeaderObject is decodeObject for JOSE headers: duplicate member names are refused.
func (d *jsonDecoder) decodeHeaderObject(b []byte) (map[string]any, error) {
	return asObject(d.decode(b, true))
}

func asObject(v any, err error) (map[string]any, error) {
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errJSONNotObject
	}
	return m, nil
}

var errJSONNotObject = errors.New("JSON value is not an object")

// maxJSONNesting is encoding/json's own nesting limit, so both reject the same documents.
const maxJSONNesting = 10000

var (
	errJSONSyntax       = errors.New("invalid JSON")
	errJSONDuplicateKey = errors.New("duplicate member name")
)

type jsonDecoder struct {
	b []byte
	i int
	// noDupKeys refuses an object that repeats a member name (for JOSE headers, RFC 7515
	// §4: jwx failed on a bad first value even when a later duplicate was fine).
	noDupKeys bool
	// vals and keys are stacks shared by all nesting levels: an array's elements and an
	// object's members are gathered here first, so each []any and map is allocated once at
	// its final size instead of growing step by step.
	vals []any
	keys []string
}

func (d *jsonDecoder) skipSpace() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (any, error) {
	d.skipSpace()
	if d.i >= len(d.b) {
		return nil, errJSONSyntax
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		return d.str()
	case c == '-' || ('0' <= c && c <= '9'):
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, errJSONSyntax
}

func (d *jsonDecoder) literal(lit string) error {
	if len(d.b)-d.i < len(lit) || string(d.b[d.i:d.i+len(lit)]) != lit {
		return errJSONSyntax
	}
	d.i += len(lit)
	return nil
}

func (d *jsonDecoder) object(depth int) (any, error) {
	if depth > maxJSONNesting {
		return nil, errJSONSyntax
	}
	d.i++ // '{'
	d.skipSpace()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return map[string]any{}, nil
	}
	baseK, baseV := len(d.keys), len(d.vals) // vals may hold an enclosing array's elements
	defer func() { d.keys, d.vals = d.keys[:baseK], d.vals[:baseV] }()
	for {
		d.skipSpace()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, errJSONSyntax
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, errJSONSyntax
		}
		d.i++
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		d.keys, d.vals = append(d.keys, k), append(d.vals, v)
		d.skipSpace()
		if d.i >= len(d.b) {
			return nil, errJSONSyntax
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			keys, vals := d.keys[baseK:], d.vals[baseV:]
			m := make(map[string]any, len(keys))
			for i, k := range keys {
				if d.noDupKeys {
					if _, dup := m[k]; dup {
						return nil, errJSONDuplicateKey
					}
				}
				m[k] = vals[i] // a repeated key keeps its last value, as in encoding/json
			}
			return m, nil
		default:
			return nil, errJSONSyntax
		}
	}
}

func (d *jsonDecoder) array(depth int) (any, error) {
	if depth > maxJSONNesting {
		return nil, errJSONSyntax
	}
	d.i++ // '['
	d.skipSpace()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return []any{}, nil
	}
	base := len(d.vals)
	defer func() { d.vals = d.vals[:base] }()
	for {
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		d.vals = append(d.vals, v)
		d.skipSpace()
		if d.i >= len(d.b) {
			return nil, errJSONSyntax
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return append([]any(nil), d.vals[base:]...), nil
		default:
			return nil, errJSONSyntax
		}
	}
}

// number scans the RFC 8259 number grammar, then converts like encoding/json (ParseFloat;
// a value out of float64 range is an error).
func (d *jsonDecoder) number() (any, error) {
	start := d.i
	if d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case d.i < len(d.b) && '1' <= d.b[d.i] && d.b[d.i] <= '9':
		d.digits()
	default:
		return nil, errJSONSyntax
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return nil, errJSONSyntax
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return nil, errJSONSyntax
		}
	}
	f, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	if err != nil {
		return nil, errJSONSyntax
	}
	return f, nil
}

func (d *jsonDecoder) digits() int {
	n := 0
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}

// str decodes a string at d.i (which holds '"'). The common case, no escapes and valid
// UTF-8, is one allocation for the result.
func (d *jsonDecoder) str() (string, error) {
	d.i++ // opening quote
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			s := unsafe.String(unsafe.SliceData(d.b[start:]), d.i-start) // aliases b, see decodeJSON
			d.i++
			return s, nil
		case c == '\\' || c >= utf8.RuneSelf:
			return d.strSlow(start)
		case c < ' ':
			return "", errJSONSyntax
		}
		d.i++
	}
	return "", errJSONSyntax
}

// strSlow handles escapes and non-ASCII bytes the way encoding/json's unquote does.
func (d *jsonDecoder) strSlow(start int) (string, error) {
	out := make([]byte, d.i-start, d.i-start+16)
	copy(out, d.b[start:d.i])
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return string(out), nil
		case c < ' ':
			return "", errJSONSyntax
		case c == '\\':
			d.i++
			if d.i >= len(d.b) {
				return "", errJSONSyntax
			}
			switch e := d.b[d.i]; e {
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
				r, ok := d.hex4(d.i + 1)
				if !ok {
					return "", errJSONSyntax
				}
				d.i += 4
				if utf16.IsSurrogate(r) {
					// A valid pair is combined; anything else is one U+FFFD and the
					// following escape, if any, is decoded on its own.
					if d.i+2 < len(d.b) && d.b[d.i+1] == '\\' && d.b[d.i+2] == 'u' {
						if r2, ok := d.hex4(d.i + 3); ok {
							if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
								out = utf8.AppendRune(out, c)
								d.i += 7
								continue
							}
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", errJSONSyntax
			}
			d.i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			d.i++
		default:
			r, size := utf8.DecodeRune(d.b[d.i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, d.b[d.i:d.i+size]...)
			}
			d.i += size
		}
	}
	return "", errJSONSyntax
}

// hex4 reads the four hex digits of a \u escape starting at i.
func (d *jsonDecoder) hex4(i int) (rune, bool) {
	if i+4 > len(d.b) {
		return 0, false
	}
	var r rune
	for _, c := range d.b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
