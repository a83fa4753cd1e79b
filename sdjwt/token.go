package sdjwt

import "strings"

// Token is an SD-JWT split into its parts (RFC 9901 §4):
// <IssuerJWT>~<D1>~...~<Dn>~[<KeyBinding>].
type Token struct {
	IssuerJWT   string
	Disclosures []*Disclosure
	KeyBinding  string // "" when no KB-JWT is attached
}

// Parse splits and checks the compact form without verifying anything
// cryptographically: size bounds, a three-part issuer JWS, non-empty strictly
// parsed disclosures, no disclosure twice, and a KB-JWT that is a JWS if present.
func Parse(s string) (*Token, error) { return parse(s, new(jsonDecoder)) }

func parse(s string, dec *jsonDecoder) (*Token, error) {
	if len(s) > MaxTokenBytes {
		return nil, newErr(CodeMalformed, "token too large")
	}
	first := strings.IndexByte(s, '~')
	if first <= 0 {
		return nil, newErr(CodeMalformed, "missing issuer JWT or '~' separator")
	}
	last := strings.LastIndexByte(s, '~')
	t := &Token{IssuerJWT: s[:first], KeyBinding: s[last+1:]}
	if strings.Count(t.IssuerJWT, ".") != 2 {
		return nil, newErr(CodeMalformed, "issuer JWT is not a compact JWS")
	}
	if t.KeyBinding != "" {
		if len(t.KeyBinding) > maxKBBytes || strings.Count(t.KeyBinding, ".") != 2 {
			return nil, newErr(CodeKBMalformed, "key binding JWT is not a compact JWS")
		}
	}
	if last > first {
		middle := s[first+1 : last]
		n := strings.Count(middle, "~") + 1
		if n > MaxDisclosures {
			return nil, newErr(CodeMalformed, "too many disclosures")
		}
		t.Disclosures = make([]*Disclosure, 0, n)
		seen := make(map[string]struct{}, n)
		for part := range strings.SplitSeq(middle, "~") {
			if part == "" {
				return nil, newErr(CodeMalformed, "empty disclosure ('~~')")
			}
			if _, dup := seen[part]; dup {
				return nil, newErr(CodeDisclosureDuplicate, "the same disclosure appears twice")
			}
			seen[part] = struct{}{}
			d, err := parseDisclosure(part, dec)
			if err != nil {
				return nil, err
			}
			t.Disclosures = append(t.Disclosures, d)
		}
	}
	return t, nil
}

// String re-serializes the token; for a parsed token it equals the input.
func (t *Token) String() string {
	var b strings.Builder
	n := len(t.IssuerJWT) + len(t.KeyBinding) + 1
	for _, d := range t.Disclosures {
		n += len(d.Encoded) + 1
	}
	b.Grow(n)
	b.WriteString(t.IssuerJWT)
	b.WriteByte('~')
	for _, d := range t.Disclosures {
		b.WriteString(d.Encoded)
		b.WriteByte('~')
	}
	b.WriteString(t.KeyBinding)
	return b.String()
}

// sdHashInput is the presentation the KB-JWT's sd_hash covers: everything up
// to and including the last '~' (RFC 9901 §4.3.1).
func sdHashInput(s string) string { return s[:strings.LastIndexByte(s, '~')+1] }
