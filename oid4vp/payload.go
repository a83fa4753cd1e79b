package oid4vp

import "unicode/utf8"

// responsePayload is the decrypted JSON of a direct_post.jwt response.
type responsePayload struct {
	VPToken          map[string][]string `json:"vp_token"`
	State            *string             `json:"state"`
	Error            *string             `json:"error"`
	ErrorDescription *string             `json:"error_description"`
}

// fastPayload decodes the payload's usual shape in one pass: an object whose members are
// exactly vp_token (an object of arrays of strings), state, error and error_description
// (strings), each at most once, strings without escapes or control characters and valid
// UTF-8. Anything else (another member, a duplicate, null, an escape) returns ok false and
// the caller decodes with encoding/json, whose result fastPayload's equals whenever ok
// (FuzzFastPayload checks it): encoding/json scans a document twice, and a payload is mostly
// a few KiB of presentation strings.
func fastPayload(b []byte) (p responsePayload, ok bool) {
	d := payloadScanner{b: b}
	if !d.byte('{') {
		return p, false
	}
	if d.byte('}') {
		return p, d.end()
	}
	for {
		key, ok := d.str()
		if !ok || !d.byte(':') {
			return p, false
		}
		switch key {
		case "vp_token":
			if p.VPToken != nil {
				return p, false
			}
			if p.VPToken, ok = d.vpToken(); !ok {
				return p, false
			}
		case "state", "error", "error_description":
			dst := &p.ErrorDescription
			switch key {
			case "state":
				dst = &p.State
			case "error":
				dst = &p.Error
			}
			s, ok := d.str()
			if !ok || *dst != nil {
				return p, false
			}
			*dst = &s
		default:
			return p, false
		}
		if d.byte(',') {
			continue
		}
		return p, d.byte('}') && d.end()
	}
}

type payloadScanner struct {
	b []byte
	i int
}

func (d *payloadScanner) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// byte consumes c after optional whitespace.
func (d *payloadScanner) byte(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *payloadScanner) end() bool {
	d.space()
	return d.i == len(d.b)
}

// str reads a string literal that needs no unescaping.
func (d *payloadScanner) str() (string, bool) {
	if !d.byte('"') {
		return "", false
	}
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			return string(s), utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return "", false
		}
		d.i++
	}
	return "", false
}

// vpToken reads {"id": ["…", …], …} with distinct ids.
func (d *payloadScanner) vpToken() (map[string][]string, bool) {
	if !d.byte('{') {
		return nil, false
	}
	vt := map[string][]string{}
	if d.byte('}') {
		return vt, true
	}
	for {
		id, ok := d.str()
		if !ok || !d.byte(':') || !d.byte('[') {
			return nil, false
		}
		if _, dup := vt[id]; dup {
			return nil, false
		}
		list := []string{}
		if !d.byte(']') {
			for {
				s, ok := d.str()
				if !ok {
					return nil, false
				}
				list = append(list, s)
				if d.byte(',') {
					continue
				}
				if !d.byte(']') {
					return nil, false
				}
				break
			}
		}
		vt[id] = list
		if d.byte(',') {
			continue
		}
		return vt, d.byte('}')
	}
}
