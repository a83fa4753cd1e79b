package oid4vp

import (
	"slices"
)

// Credential is what DCQL evaluation knows of one credential: a wallet builds it from a stored
// credential (all claims it could disclose), a verifier from a verified presentation (the
// claims disclosed).
type Credential struct {
	Format  string
	VCT     string // dc+sd-jwt
	Doctype string // mso_mdoc
	// Claims is the claim tree: for dc+sd-jwt the JSON payload, for mso_mdoc
	// namespace -> element identifier -> value (CBOR converted to JSON types).
	Claims map[string]any
	// HolderBound: the credential is bound to a holder key (cnf, device key) and, in a
	// presentation, the binding was proven for this request.
	HolderBound bool
	// AuthorityKeyIDs are the base64url KeyIdentifiers of the issuer chain's certificates,
	// matched by trusted_authorities of type aki.
	AuthorityKeyIDs []string
}

// Selection is how one credential satisfies a credential query.
type Selection struct {
	// ClaimSet is the index of the claim set used, or -1 when the query has no claim_sets.
	ClaimSet int
	// Claims are the requested claims to disclose (none when the query names no claims:
	// only the credential's mandatory claims are released, §6.4.1).
	Claims []ClaimQuery
}

// Paths returns the paths of the selected claims.
func (s *Selection) Paths() []ClaimPath {
	out := make([]ClaimPath, len(s.Claims))
	for i, c := range s.Claims {
		out[i] = c.Path
	}
	return out
}

// Match reports whether c satisfies the query: format, meta, trusted authorities, holder
// binding, and its claims (the first satisfiable claim set when claim_sets is present, else
// every claim). It is the one rule both the wallet's selection and the verifier's check use.
func (cq *CredentialQuery) Match(c *Credential) (*Selection, bool) {
	if c == nil || c.Format != cq.Format {
		return nil, false
	}
	switch cq.Format {
	case FormatSDJWT:
		if !slices.Contains(cq.Meta.VCTValues, c.VCT) {
			return nil, false
		}
	case FormatMDoc:
		if c.Doctype != cq.Meta.DoctypeValue {
			return nil, false
		}
	default:
		return nil, false
	}
	if cq.HolderBindingRequired() && !c.HolderBound {
		return nil, false
	}
	if len(cq.TrustedAuthorities) > 0 && !authorityMatches(cq.TrustedAuthorities, c) {
		return nil, false
	}
	if len(cq.Claims) == 0 {
		return &Selection{ClaimSet: -1}, true
	}
	if len(cq.ClaimSets) == 0 {
		for i := range cq.Claims {
			if !claimPresent(&cq.Claims[i], c.Claims) {
				return nil, false
			}
		}
		return &Selection{ClaimSet: -1, Claims: slices.Clone(cq.Claims)}, true
	}
	for si, set := range cq.ClaimSets {
		sel := &Selection{ClaimSet: si}
		ok := true
		for _, id := range set {
			cl := cq.claim(id)
			if cl == nil || !claimPresent(cl, c.Claims) {
				ok = false
				break
			}
			sel.Claims = append(sel.Claims, *cl)
		}
		if ok {
			return sel, true
		}
	}
	return nil, false
}

func (cq *CredentialQuery) claim(id string) *ClaimQuery {
	for i := range cq.Claims {
		if cq.Claims[i].ID == id {
			return &cq.Claims[i]
		}
	}
	return nil
}

// claimPresent: the path selects something and, when values are given, one selected element
// equals one of them.
func claimPresent(cl *ClaimQuery, claims map[string]any) bool {
	if claims == nil {
		return false
	}
	sel := cl.Path.Select(claims)
	if len(sel) == 0 {
		return false
	}
	if len(cl.Values) == 0 {
		return true
	}
	for _, v := range sel {
		if valueMatches(v, cl.Values) {
			return true
		}
	}
	return false
}

// authorityMatches supports type aki; other types cannot be checked here and so never match.
func authorityMatches(tas []TrustedAuthority, c *Credential) bool {
	for _, ta := range tas {
		if ta.Type != "aki" {
			continue
		}
		for _, v := range ta.Values {
			if slices.Contains(c.AuthorityKeyIDs, v) {
				return true
			}
		}
	}
	return false
}

// Candidate is one stored credential that satisfies a credential query.
type Candidate struct {
	Index     int // position in the credentials given to Evaluate
	Selection *Selection
}

// Evaluation is the result of evaluating a query against a wallet's credentials.
type Evaluation struct {
	// Candidates lists, per credential query id, every credential that satisfies it.
	Candidates map[string][]Candidate
	// Selected is the credential query ids to present: every query when there are no
	// credential_sets, else the first satisfiable option of each set (§6.4.2).
	Selected []string
}

// Evaluate matches every credential query against creds and picks the queries to answer.
// When a required query or credential set cannot be satisfied it returns an *Error with code
// access_denied and reason no_matching_credential: the wallet must return nothing (§6.4.2).
func (q *Query) Evaluate(creds []Credential) (*Evaluation, error) {
	ev := &Evaluation{Candidates: map[string][]Candidate{}}
	for qi := range q.Credentials {
		cq := &q.Credentials[qi]
		for i := range creds {
			if sel, ok := cq.Match(&creds[i]); ok {
				ev.Candidates[cq.ID] = append(ev.Candidates[cq.ID], Candidate{Index: i, Selection: sel})
			}
		}
	}
	if len(q.CredentialSets) == 0 {
		for _, cq := range q.Credentials {
			if len(ev.Candidates[cq.ID]) == 0 {
				return nil, errorf(AccessDenied, ReasonNoMatch, "no credential satisfies %q", cq.ID)
			}
			ev.Selected = append(ev.Selected, cq.ID)
		}
		return ev, nil
	}
	for si, set := range q.CredentialSets {
		chosen := false
		for _, opt := range set.Options {
			if !slices.ContainsFunc(opt, func(id string) bool { return len(ev.Candidates[id]) == 0 }) {
				for _, id := range opt {
					if !slices.Contains(ev.Selected, id) {
						ev.Selected = append(ev.Selected, id)
					}
				}
				chosen = true
				break
			}
		}
		if !chosen && set.IsRequired() {
			return nil, errorf(AccessDenied, ReasonNoMatch, "no option of credential_sets[%d] can be satisfied", si)
		}
	}
	return ev, nil
}
