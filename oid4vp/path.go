package oid4vp

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// PathElement is one step of a claims path pointer (§7): a key, an array index, or null for
// every element of an array.
type PathElement struct {
	Key   string
	Index int
	kind  byte // 'k' key, 'i' index, 'a' all
}

// Key, Index and All build path elements.
func Key(k string) PathElement      { return PathElement{Key: k, kind: 'k'} }
func Index(i int) PathElement       { return PathElement{Index: i, kind: 'i'} }
func All() PathElement              { return PathElement{kind: 'a'} }
func (e PathElement) IsKey() bool   { return e.kind == 'k' }
func (e PathElement) IsIndex() bool { return e.kind == 'i' }
func (e PathElement) IsAll() bool   { return e.kind == 'a' }

// ClaimPath is a claims path pointer (§7).
type ClaimPath []PathElement

// NewPath builds a path of keys, e.g. NewPath("address", "street_address").
func NewPath(keys ...string) ClaimPath {
	p := make(ClaimPath, len(keys))
	for i, k := range keys {
		p[i] = Key(k)
	}
	return p
}

func (p ClaimPath) isMDoc() bool { return len(p) == 2 && p[0].IsKey() && p[1].IsKey() }

// String renders the path as its JSON array, for messages and map keys.
func (p ClaimPath) String() string {
	b, _ := p.MarshalJSON()
	return string(b)
}

// MarshalJSON writes the path as a JSON array of strings, integers and nulls.
func (p ClaimPath) MarshalJSON() ([]byte, error) {
	out := make([]any, len(p))
	for i, e := range p {
		switch e.kind {
		case 'k':
			out[i] = e.Key
		case 'i':
			out[i] = e.Index
		default:
			out[i] = nil
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON parses a path with parsePath's checks.
func (p *ClaimPath) UnmarshalJSON(b []byte) error {
	v, err := parsePath(b, "path")
	if err != nil {
		return err
	}
	*p = v
	return nil
}

func parsePath(b json.RawMessage, where string) (ClaimPath, error) {
	items, err := array(b, where, maxPathLen)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, qerr("%s is empty", where)
	}
	p := make(ClaimPath, 0, len(items))
	for i, ri := range items {
		ri = bytes.TrimSpace(ri)
		switch {
		case string(ri) == "null":
			p = append(p, All())
		case len(ri) > 0 && ri[0] == '"':
			s, err := str(ri, where)
			if err != nil {
				return nil, err
			}
			p = append(p, Key(s))
		default:
			n, err := strconv.ParseUint(string(ri), 10, 31)
			if err != nil || (len(ri) > 1 && ri[0] == '0') {
				return nil, qerr("%s[%d] must be a string, a non-negative integer or null", where, i)
			}
			p = append(p, Index(int(n)))
		}
	}
	return p, nil
}

// Select applies the path to a JSON-like value (maps, slices, scalars) and returns the
// selected elements (§7.1). It returns nil when the path selects nothing, including when a
// step meets a value of the wrong type.
func (p ClaimPath) Select(root any) []any {
	cur := []any{root}
	for _, e := range p {
		var next []any
		for _, v := range cur {
			switch e.kind {
			case 'k':
				m, ok := v.(map[string]any)
				if !ok {
					return nil
				}
				if c, ok := m[e.Key]; ok {
					next = append(next, c)
				}
			case 'i':
				a, ok := v.([]any)
				if !ok {
					return nil
				}
				if e.Index < len(a) {
					next = append(next, a[e.Index])
				}
			default:
				a, ok := v.([]any)
				if !ok {
					return nil
				}
				next = append(next, a...)
			}
		}
		if len(next) == 0 {
			return nil
		}
		cur = next
	}
	return cur
}

// valueMatches reports whether v equals one of want in type and value (§6.3). Numbers
// compare as integers: a JSON number decoded as float64 matches when it is integral.
func valueMatches(v any, want []any) bool {
	for _, w := range want {
		switch w := w.(type) {
		case string:
			if s, ok := v.(string); ok && s == w {
				return true
			}
		case bool:
			if b, ok := v.(bool); ok && b == w {
				return true
			}
		case int64:
			if n, ok := integer(v); ok && n == w {
				return true
			}
		}
	}
	return false
}

func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}
