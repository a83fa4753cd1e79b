package sdjwt

import (
	"strconv"
	"strings"
)

// processor rebuilds the payload with disclosures substituted
// (RFC 9901 §7.1 step 3–5). Disclosure values are never mutated, so
// Verified.Disclosures and Claims do not alias. The payload itself is rewritten
// in place when the caller hands it over (run with owned), saving a copy of
// every object and array on the verifier's path.
type processor struct {
	discs    []*Disclosure
	byDigest map[string]int // digest -> index into discs
	used     []bool
	seen     map[string]struct{} // every digest met so far (payload and disclosures)

	// Holder-side bookkeeping (Present/Paths), off during Verify.
	track   bool
	paths   [][]string // per disclosure, the claim path it reveals
	visited [][]string // every claim path reachable with all disclosures
}

func newProcessor(discs []*Disclosure, hashAlg string, track bool) (*processor, error) {
	p := &processor{
		discs:    discs,
		byDigest: make(map[string]int, len(discs)),
		used:     make([]bool, len(discs)),
		seen:     make(map[string]struct{}, 2*len(discs)+8),
		track:    track,
	}
	for i, d := range discs {
		dg, err := d.Digest(hashAlg)
		if err != nil {
			return nil, err
		}
		if _, dup := p.byDigest[dg]; dup {
			return nil, newErr(CodeDisclosureDuplicate, "two disclosures with the same digest")
		}
		p.byDigest[dg] = i
	}
	if track {
		p.paths = make([][]string, len(discs))
	}
	return p, nil
}

// run processes the top-level payload and checks every disclosure was used.
// With owned, payload (freshly decoded, referenced by nobody else) is reused
// for the result; the holder-side walk, which tracks paths, always copies.
func (p *processor) run(payload map[string]any, owned bool) (map[string]any, error) {
	out, err := p.object(payload, 0, nil, owned && !p.track)
	if err != nil {
		return nil, err
	}
	for _, u := range p.used {
		if !u {
			return nil, newErr(CodeDisclosureUnreferenced, "a disclosure is not referenced by the payload")
		}
	}
	return out, nil
}

func (p *processor) child(path []string, seg string) []string {
	if !p.track {
		return nil
	}
	c := make([]string, len(path)+1)
	copy(c, path)
	c[len(path)] = seg
	p.visited = append(p.visited, c)
	return c
}

func (p *processor) value(v any, depth int, path []string, owned bool) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		return p.object(t, depth, path, owned)
	case []any:
		return p.array(t, depth, path, owned)
	}
	return v, nil
}

// markDigest enforces "each digest at most once" (§7.1 step 4).
func (p *processor) markDigest(dg string) error {
	if _, dup := p.seen[dg]; dup {
		return newErr(CodeDigestDuplicate, "a digest appears more than once")
	}
	p.seen[dg] = struct{}{}
	return nil
}

func (p *processor) object(in map[string]any, depth int, path []string, owned bool) (map[string]any, error) {
	if depth > MaxDepth {
		return nil, newErr(CodeMalformed, "nesting too deep")
	}
	out := in
	if !owned {
		out = make(map[string]any, len(in))
	}
	var sd []any
	hasSD := false
	for k, v := range in {
		switch k {
		case "_sd":
			arr, ok := v.([]any)
			if !ok {
				return nil, newErr(CodeClaimConflict, "_sd is not an array")
			}
			sd, hasSD = arr, true
			if owned {
				delete(out, k) // deleting the current key while ranging is allowed
			}
			continue
		case "...":
			return nil, newErr(CodeClaimConflict, `"..." outside an array element`)
		case "_sd_alg":
			if depth != 0 {
				return nil, newErr(CodeClaimConflict, "_sd_alg below the top level")
			}
			if owned {
				delete(out, k)
			}
			continue // removed from the processed payload (§7.1 step 3.e)
		}
		pv, err := p.value(v, depth+1, p.child(path, k), owned)
		if err != nil {
			return nil, err
		}
		out[k] = pv
	}
	if !hasSD {
		return out, nil
	}
	for _, e := range sd {
		dg, ok := e.(string)
		if !ok {
			return nil, newErr(CodeClaimConflict, "_sd entry is not a string")
		}
		if err := p.markDigest(dg); err != nil {
			return nil, err
		}
		i, ok := p.byDigest[dg]
		if !ok {
			continue // decoy, or a claim the holder did not disclose
		}
		d := p.discs[i]
		if d.IsArrayElement() {
			return nil, newErr(CodeDisclosureMalformed, "array-element disclosure referenced from _sd")
		}
		if _, exists := out[d.Name]; exists {
			return nil, newErr(CodeClaimConflict, "disclosed claim name already present")
		}
		p.used[i] = true
		cp := p.child(path, d.Name)
		if p.track {
			p.paths[i] = cp
		}
		pv, err := p.value(d.Value, depth+1, cp, false) // disclosure values are copied
		if err != nil {
			return nil, err
		}
		out[d.Name] = pv
	}
	return out, nil
}

func (p *processor) array(in []any, depth int, path []string, owned bool) ([]any, error) {
	if depth > MaxDepth {
		return nil, newErr(CodeMalformed, "nesting too deep")
	}
	// Owned: out writes at an index never past the one being read.
	out := in[:0]
	if !owned {
		out = make([]any, 0, len(in))
	}
	for idx, e := range in {
		var seg string
		if p.track {
			seg = strconv.Itoa(idx)
		}
		if m, ok := e.(map[string]any); ok {
			if ref, isDigest := m["..."]; isDigest {
				if len(m) != 1 {
					return nil, newErr(CodeClaimConflict, `array element has "..." and other keys`)
				}
				dg, ok := ref.(string)
				if !ok {
					return nil, newErr(CodeClaimConflict, `"..." value is not a string`)
				}
				if err := p.markDigest(dg); err != nil {
					return nil, err
				}
				i, ok := p.byDigest[dg]
				if !ok {
					continue // undisclosed element: dropped (§7.1 step 3.d.iii)
				}
				d := p.discs[i]
				if !d.IsArrayElement() {
					return nil, newErr(CodeDisclosureMalformed, "object-property disclosure referenced from an array")
				}
				p.used[i] = true
				cp := p.child(path, seg)
				if p.track {
					p.paths[i] = cp
				}
				pv, err := p.value(d.Value, depth+1, cp, false) // disclosure values are copied
				if err != nil {
					return nil, err
				}
				out = append(out, pv)
				continue
			}
		}
		pv, err := p.value(e, depth+1, p.child(path, seg), owned)
		if err != nil {
			return nil, err
		}
		out = append(out, pv)
	}
	if owned {
		clear(in[len(out):]) // drop references to undisclosed elements
	}
	return out, nil
}

// pointer renders path segments as a JSON pointer (RFC 6901 escaping).
func pointer(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		s = strings.ReplaceAll(s, "~", "~0")
		b.WriteString(strings.ReplaceAll(s, "/", "~1"))
	}
	return b.String()
}

// parsePath splits "/a/b~1c/*" into unescaped segments.
func parsePath(p string) ([]string, error) {
	if len(p) < 2 || p[0] != '/' {
		return nil, newErr(CodePathInvalid, "path must start with '/' and name a claim")
	}
	segs := strings.Split(p[1:], "/")
	if len(segs) > maxPathSegments {
		return nil, newErr(CodePathInvalid, "path too deep")
	}
	for i, s := range segs {
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(s, "~0", ""), "~1", ""), "~") {
			return nil, newErr(CodePathInvalid, "bad '~' escape in path")
		}
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return segs, nil
}
