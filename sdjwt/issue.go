package sdjwt

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

// IssueOptions configures Issue.
type IssueOptions struct {
	Signer  crypto.Signer          // issuer key (ecdsa/ed25519); may be an HSM-backed crypto.Signer
	Alg     jwa.SignatureAlgorithm // ES256 default
	Header  map[string]any         // extra protected headers: typ, x5c, kid...
	Decoys  int                    // decoy digests added to each _sd array (random count in [Decoys, 2*Decoys])
	HashAlg string                 // "sha-256" default; written as _sd_alg
}

// sdTrie marks which claims become selectively disclosable. A node is SD when
// some path ends there; children hold deeper paths (recursive disclosures).
type sdTrie struct {
	sd       bool
	children map[string]*sdTrie
	star     *sdTrie // "*": every element of an array
}

func (t *sdTrie) insert(segs []string) {
	for _, s := range segs {
		if s == "*" {
			if t.star == nil {
				t.star = &sdTrie{}
			}
			t = t.star
			continue
		}
		if t.children == nil {
			t.children = map[string]*sdTrie{}
		}
		n := t.children[s]
		if n == nil {
			n = &sdTrie{}
			t.children[s] = n
		}
		t = n
	}
	t.sd = true
}

// merge combines the index-specific and "*" tries for one array element.
func merge(a, b *sdTrie) *sdTrie {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	m := &sdTrie{sd: a.sd || b.sd, star: merge(a.star, b.star), children: map[string]*sdTrie{}}
	for k, v := range a.children {
		m.children[k] = merge(v, b.children[k])
	}
	for k, v := range b.children {
		if _, done := m.children[k]; !done {
			m.children[k] = v
		}
	}
	return m
}

type issuer struct {
	hashAlg string
	decoys  int
	discs   []string
}

// Issue makes claims selectively disclosable at the given paths and signs the
// result. Paths are JSON pointers ("/address/street_address",
// "/nationalities/1") where "*" means every element of an array; a path may
// name an object or array that also has SD children (recursive disclosure,
// RFC 9901 §4.2.6). Each _sd array is sorted so its order leaks nothing.
// claims is not modified. Returns "<jws>~<d1>~...~<dn>~".
func Issue(claims map[string]any, sdPaths []string, opts IssueOptions) (string, error) {
	if opts.Alg == "" {
		opts.Alg = jwa.ES256
	}
	if opts.HashAlg == "" {
		opts.HashAlg = SHA256
	}
	if _, err := digestOf(opts.HashAlg, ""); err != nil {
		return "", err
	}
	if opts.Decoys < 0 || opts.Decoys > 64 {
		return "", newErr(CodeConfigInvalid, "Decoys must be in [0, 64]")
	}
	// Normalize to plain JSON values (a deep copy; numbers stay exact).
	raw, err := marshalJSON(claims)
	if err != nil {
		return "", wrapErr(CodeConfigInvalid, "claims are not JSON-encodable", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return "", wrapErr(CodeConfigInvalid, "claims must be a JSON object", err)
	}
	if err := checkReserved(doc, 0); err != nil {
		return "", err
	}
	root := &sdTrie{}
	for _, p := range sdPaths {
		segs, err := parsePath(p)
		if err != nil {
			return "", err
		}
		root.insert(segs)
	}
	if root.sd || root.star != nil {
		return "", newErr(CodePathInvalid, "the payload root cannot be selectively disclosable")
	}
	is := &issuer{hashAlg: opts.HashAlg, decoys: opts.Decoys}
	out, err := is.transform(doc, root, "")
	if err != nil {
		return "", err
	}
	payload := out.(map[string]any)
	payload["_sd_alg"] = opts.HashAlg
	body, err := marshalJSON(payload)
	if err != nil {
		return "", wrapErr(CodeSignFailed, "payload", err)
	}
	jwt, err := signCompact(body, opts.Signer, opts.Alg, opts.Header)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(jwt)
	b.WriteByte('~')
	for _, d := range is.discs {
		b.WriteString(d)
		b.WriteByte('~')
	}
	return b.String(), nil
}

// checkReserved refuses input claims that already use SD-JWT syntax; they
// would be misread by every verifier.
func checkReserved(v any, depth int) error {
	if depth > MaxDepth {
		return newErr(CodeConfigInvalid, "claims nested too deep")
	}
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			if k == "_sd" || k == "..." || k == "_sd_alg" {
				return newErr(CodeClaimConflict, "claims may not contain "+k)
			}
			if err := checkReserved(c, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for _, c := range t {
			if err := checkReserved(c, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// transform rewrites v bottom-up: children first, so a recursive disclosure
// carries its children's digests, not their values.
func (is *issuer) transform(v any, t *sdTrie, where string) (any, error) {
	if t == nil || (len(t.children) == 0 && t.star == nil) {
		return v, nil
	}
	switch node := v.(type) {
	case map[string]any:
		if t.star != nil {
			return nil, newErr(CodePathInvalid, `"*" used on an object at `+where)
		}
		out := make(map[string]any, len(node))
		for k, c := range node {
			out[k] = c
		}
		var digests []string
		keys := make([]string, 0, len(t.children))
		for k := range t.children {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			ct := t.children[k]
			c, ok := node[k]
			if !ok {
				return nil, newErr(CodePathInvalid, "no claim "+where+"/"+k)
			}
			nv, err := is.transform(c, ct, where+"/"+k)
			if err != nil {
				return nil, err
			}
			if !ct.sd {
				out[k] = nv
				continue
			}
			d, err := NewDisclosure(k, nv)
			if err != nil {
				return nil, err
			}
			dg, err := is.add(d)
			if err != nil {
				return nil, err
			}
			delete(out, k)
			digests = append(digests, dg)
		}
		if len(digests) > 0 {
			decoys, err := is.decoyDigests()
			if err != nil {
				return nil, err
			}
			digests = append(digests, decoys...)
			slices.Sort(digests)
			sd := make([]any, len(digests))
			for i, d := range digests {
				sd[i] = d
			}
			out["_sd"] = sd
		}
		return out, nil
	case []any:
		for k := range t.children {
			if i, err := strconv.Atoi(k); err != nil || i < 0 || i >= len(node) || strconv.Itoa(i) != k {
				return nil, newErr(CodePathInvalid, "no array element "+where+"/"+k)
			}
		}
		out := make([]any, len(node))
		for i, c := range node {
			ct := merge(t.children[strconv.Itoa(i)], t.star)
			nv, err := is.transform(c, ct, where+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			if ct == nil || !ct.sd {
				out[i] = nv
				continue
			}
			d, err := NewArrayDisclosure(nv)
			if err != nil {
				return nil, err
			}
			dg, err := is.add(d)
			if err != nil {
				return nil, err
			}
			out[i] = map[string]any{"...": dg}
		}
		return out, nil
	}
	return nil, newErr(CodePathInvalid, "path goes below a scalar at "+where)
}

func (is *issuer) add(d *Disclosure) (string, error) {
	is.discs = append(is.discs, d.Encoded)
	if len(is.discs) > MaxDisclosures {
		return "", newErr(CodeConfigInvalid, "too many disclosures")
	}
	return d.Digest(is.hashAlg)
}

// decoyDigests returns [decoys, 2*decoys] digests of random values
// (RFC 9901 §4.2.5), indistinguishable from real ones.
func (is *issuer) decoyDigests() ([]string, error) {
	if is.decoys == 0 {
		return nil, nil
	}
	extra, err := rand.Int(rand.Reader, big.NewInt(int64(is.decoys)+1))
	if err != nil {
		return nil, wrapErr(CodeSignFailed, "decoy count", err)
	}
	n := is.decoys + int(extra.Int64())
	out := make([]string, n)
	var buf [saltBytes]byte
	for i := range out {
		if _, err := rand.Read(buf[:]); err != nil {
			return nil, wrapErr(CodeSignFailed, "decoy", err)
		}
		out[i], _ = digestOf(is.hashAlg, b64.EncodeToString(buf[:]))
	}
	return out, nil
}
