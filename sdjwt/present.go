package sdjwt

// Present keeps only the disclosures needed to reveal the given claim paths
// (same syntax as Issue; "*" matches any array index). A path to an object or
// array reveals it with all its SD children; the disclosures of its
// ancestors are kept so the verifier can reach it. Runs on the holder side
// without the issuer key: the payload is read unverified. The result has no
// KB-JWT (add a fresh one with AddKeyBinding). Indices in paths are positions
// in the issued arrays, stable whatever else is disclosed.
func (t *Token) Present(paths []string) (*Token, error) {
	dpaths, visited, err := t.walk()
	if err != nil {
		return nil, err
	}
	keep := make([]bool, len(t.Disclosures))
	for _, p := range paths {
		req, err := parsePath(p)
		if err != nil {
			return nil, err
		}
		found := false
		for _, v := range visited {
			if hasPrefix(v, req) {
				found = true
				break
			}
		}
		if !found {
			return nil, newErr(CodePathInvalid, "no claim at "+p)
		}
		for i, dp := range dpaths {
			if dp != nil && (hasPrefix(dp, req) || hasPrefix(req, dp)) {
				keep[i] = true
			}
		}
	}
	out := &Token{IssuerJWT: t.IssuerJWT}
	for i, d := range t.Disclosures {
		if keep[i] {
			out.Disclosures = append(out.Disclosures, d)
		}
	}
	return out, nil
}

// Paths lists, for each disclosure, the claim path (JSON pointer) it reveals,
// for wallet UIs. Array elements are addressed by their issued index.
func (t *Token) Paths() ([]string, error) {
	dpaths, _, err := t.walk()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(dpaths))
	for i, p := range dpaths {
		out[i] = pointer(p)
	}
	return out, nil
}

// walk runs the verifier's processing (unverified) with path tracking on, so
// the holder sees exactly the structure a verifier will.
func (t *Token) walk() (dpaths, visited [][]string, err error) {
	payload, err := unverifiedPayload(t.IssuerJWT)
	if err != nil {
		return nil, nil, err
	}
	sdAlg, err := payloadSDAlg(payload)
	if err != nil {
		return nil, nil, err
	}
	p, err := newProcessor(t.Disclosures, sdAlg, true)
	if err != nil {
		return nil, nil, err
	}
	if _, err := p.run(payload, false); err != nil {
		return nil, nil, err
	}
	return p.paths, p.visited, nil
}

// hasPrefix reports whether prefix is a segment-wise prefix of path, where a
// "*" segment on either side matches any array index.
func hasPrefix(path, prefix []string) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i, s := range prefix {
		if s != path[i] && !(s == "*" && isIndex(path[i])) && !(path[i] == "*" && isIndex(s)) {
			return false
		}
	}
	return true
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
