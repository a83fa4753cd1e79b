package oid4vp

import "slices"

// PresentationVerifier verifies one presentation for credential query cq (issuer signature,
// trust, time, status, and holder binding to the request's client_id and nonce) and returns
// the credential as disclosed. The verifier supplies it per format.
type PresentationVerifier func(cq *CredentialQuery, presentation string) (*Credential, error)

// Presented is one verified presentation and how it satisfies its query.
type Presented struct {
	Credential *Credential
	Selection  *Selection
}

// CheckVPToken verifies every presentation of vt and checks the whole against q (§8.6):
// every key is a credential query id, a query without multiple has one presentation, each
// presentation verifies and satisfies its query, and the presented queries satisfy every
// required credential set (or, without credential_sets, every query). A query that no
// credential set names is not requested and its presentation is refused. Any failure rejects
// the whole response with code invalid_request and a reason naming the check.
func (q *Query) CheckVPToken(vt VPToken, verify PresentationVerifier) (map[string][]Presented, error) {
	if len(vt) == 0 {
		return nil, errorf(InvalidRequest, ReasonCredentialMissing, "vp_token is empty")
	}
	ids := make([]string, 0, len(vt))
	for id := range vt {
		if q.Credential(id) == nil {
			return nil, errorf(InvalidRequest, ReasonUnknownQueryID, "vp_token names a query the request did not make")
		}
		if len(q.CredentialSets) > 0 && !q.inSomeSet(id) {
			return nil, errorf(InvalidRequest, ReasonUnrequested, "%q is in no credential set", id)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids) // deterministic order of checks and errors
	if err := q.checkSets(vt); err != nil {
		return nil, err
	}
	out := make(map[string][]Presented, len(vt))
	for _, id := range ids {
		cq := q.Credential(id)
		list := vt[id]
		if len(list) > 1 && !cq.Multiple {
			return nil, errorf(InvalidRequest, ReasonTooManyPresentations, "%q allows one presentation, got %d", id, len(list))
		}
		for _, p := range list {
			c, err := verify(cq, p)
			if err != nil {
				return nil, wrapf(InvalidRequest, ReasonPresentationInvalid, err, "presentation for %q", id)
			}
			if cq.HolderBindingRequired() && !c.HolderBound {
				return nil, errorf(InvalidRequest, ReasonHolderBinding, "presentation for %q is not bound to the holder", id)
			}
			sel, ok := cq.Match(c)
			if !ok {
				return nil, errorf(InvalidRequest, ReasonQueryNotSatisfied, "presentation for %q does not satisfy its query", id)
			}
			out[id] = append(out[id], Presented{Credential: c, Selection: sel})
		}
	}
	return out, nil
}

func (q *Query) inSomeSet(id string) bool {
	for _, s := range q.CredentialSets {
		for _, opt := range s.Options {
			if slices.Contains(opt, id) {
				return true
			}
		}
	}
	return false
}

func (q *Query) checkSets(vt VPToken) error {
	if len(q.CredentialSets) == 0 {
		for _, cq := range q.Credentials {
			if _, ok := vt[cq.ID]; !ok {
				return errorf(InvalidRequest, ReasonCredentialMissing, "no presentation for %q", cq.ID)
			}
		}
		return nil
	}
	for i, s := range q.CredentialSets {
		if !s.IsRequired() {
			continue
		}
		met := slices.ContainsFunc(s.Options, func(opt []string) bool {
			return !slices.ContainsFunc(opt, func(id string) bool { _, ok := vt[id]; return !ok })
		})
		if !met {
			return errorf(InvalidRequest, ReasonCredentialMissing, "no option of credential_sets[%d] is presented", i)
		}
	}
	return nil
}
