package walletsdk

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/idgate/idgate/oid4vp"
)

// RespondVP answers a resolved request with the holder's consent: for every query of
// req.Queries it presents the chosen credential (choice maps query id to credential id; a
// query without a choice takes its first candidate) disclosing exactly the requested claims,
// with a KB-JWT whose aud is the full client_id (prefix included) and whose nonce is the
// request's, or for an mdoc a DeviceResponse device-signed over the request's OpenID4VP
// handover SessionTranscript. The vp_token is encrypted to the verifier's key for direct_post.jwt (ECDH-ES,
// the enc chosen from the verifier's list, its kid copied) and posted to response_uri.
func (w *Wallet) RespondVP(ctx context.Context, req *VPRequest, choice map[string]string) (*VPResult, error) {
	if req == nil || req.ar == nil {
		return nil, newErr(CodeConfig, "RespondVP needs a request from ResolveVP", nil)
	}
	if !w.now().Before(req.ExpiresAt) {
		return nil, newErr(CodeVPRequest, "the request has expired", nil)
	}
	for id := range choice {
		if !req.hasQuery(id) {
			return nil, newErr(CodeConfig, "choice names query "+quote(id)+" the request does not make", nil)
		}
	}
	vt := oid4vp.VPToken{}
	for _, q := range req.Queries {
		cand, err := q.pick(choice[q.ID])
		if err != nil {
			return nil, err
		}
		pres, err := w.presentVP(ctx, req, q.ID, cand)
		if err != nil {
			return nil, err
		}
		vt[q.ID] = []string{pres}
	}
	return w.postVPResponse(ctx, req, &oid4vp.Response{VPToken: vt, State: req.ar.State})
}

// DeclineVP tells the verifier the holder refused (access_denied, §8.5).
func (w *Wallet) DeclineVP(ctx context.Context, req *VPRequest) (*VPResult, error) {
	if req == nil || req.ar == nil {
		return nil, newErr(CodeConfig, "DeclineVP needs a request from ResolveVP", nil)
	}
	return w.postVPResponse(ctx, req, &oid4vp.Response{Error: string(oid4vp.AccessDenied), State: req.ar.State})
}

func (r *VPRequest) hasQuery(id string) bool {
	for _, q := range r.Queries {
		if q.ID == id {
			return true
		}
	}
	return false
}

func (q *VPQuery) pick(credentialID string) (*VPCandidate, error) {
	if len(q.Candidates) == 0 {
		return nil, newErr(CodeNoMatchingCredential, "no credential answers "+quote(q.ID), nil)
	}
	if credentialID == "" {
		return &q.Candidates[0], nil
	}
	for i := range q.Candidates {
		if q.Candidates[i].CredentialID == credentialID {
			return &q.Candidates[i], nil
		}
	}
	return nil, newErr(CodeConfig, "credential "+quote(credentialID)+" does not answer "+quote(q.ID), nil)
}

// presentVP builds one presentation of cand for query id: SD-JWT+KB, or an mdoc's
// DeviceResponse. The KB-JWT is sent even where the query waives holder binding (see doc.go):
// it keeps the presentation to this verifier and this nonce.
func (w *Wallet) presentVP(ctx context.Context, req *VPRequest, id string, cand *VPCandidate) (string, error) {
	cq := req.ar.DCQLQuery.Credential(id)
	if cq == nil {
		return "", newErr(CodeConfig, "unknown query "+quote(id), nil)
	}
	rec, err := w.loadCredential(cand.CredentialID)
	if err != nil {
		return "", err
	}
	// The selection is recomputed from the stored credential: the preview is what the holder
	// saw, the match is what is sent, and they must agree.
	view, err := w.view(rec)
	if err != nil {
		return "", err
	}
	oc, err := w.dcqlCredential(view)
	if err != nil {
		return "", err
	}
	sel, ok := cq.Match(oc)
	if !ok {
		return "", newErr(CodeNoMatchingCredential, "credential "+quote(cand.CredentialID)+" no longer satisfies "+quote(id), nil)
	}
	if rec.isMdoc() {
		return w.presentMdocVP(ctx, req, rec, sel)
	}
	pointers := make([]string, len(sel.Claims))
	for i, cl := range sel.Claims {
		pointers[i] = dcqlPointer(cl.Path)
	}
	return w.presentPaths(ctx, rec, pointers, req.ar.ClientID, req.ar.Nonce)
}

// dcqlPointer turns a DCQL claim path (§7) into an sdjwt path: keys escaped as JSON pointer
// segments, null as "*" (every element), an index as its decimal.
func dcqlPointer(p oid4vp.ClaimPath) string {
	var b strings.Builder
	for _, e := range p {
		b.WriteByte('/')
		switch {
		case e.IsAll():
			b.WriteByte('*')
		case e.IsIndex():
			b.WriteString(strconv.Itoa(e.Index))
		default:
			b.WriteString(strings.ReplaceAll(strings.ReplaceAll(e.Key, "~", "~0"), "/", "~1"))
		}
	}
	return b.String()
}

// postVPResponse posts resp to the response_uri in the request's response mode and reads the
// verifier's answer.
func (w *Wallet) postVPResponse(ctx context.Context, req *VPRequest, resp *oid4vp.Response) (*VPResult, error) {
	var (
		form url.Values
		err  error
	)
	if req.ar.ResponseMode == oid4vp.ModeDirectPostJWT {
		form, err = resp.EncryptedForm(*req.ar.EncryptTo, req.ar.Enc)
	} else {
		form, err = resp.Form()
	}
	if err != nil {
		return nil, newErr(CodeVPRequest, "build response", err)
	}
	ctx, cancel := context.WithTimeout(ctx, vpStepTimeout)
	defer cancel()
	body := form.Encode()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, req.ar.ResponseURI, strings.NewReader(body))
	if err != nil {
		return nil, newErr(CodeTransport, "response_uri", err)
	}
	hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hreq.Header.Set("Accept", "application/json")
	status, _, reply, err := w.vpExchange(hreq, maxResponseURIReply)
	if err != nil {
		return nil, err
	}
	return parseResponseURIReply(status, reply)
}

// parseResponseURIReply reads a response endpoint's answer (§8.2): 200 with an optional JSON
// {"redirect_uri"}, or an error.
func parseResponseURIReply(status int, reply []byte) (*VPResult, error) {
	if status != http.StatusOK {
		return nil, newErr(CodeVerifierRejected, "the verifier refused the response", vpRejection(status, reply))
	}
	out := &VPResult{}
	if len(bytes.TrimSpace(reply)) == 0 {
		return out, nil
	}
	var r struct {
		RedirectURI string `json:"redirect_uri"`
	}
	if err := json.Unmarshal(reply, &r); err != nil {
		return nil, newErr(CodeTransport, "response_uri answer is not JSON", err)
	}
	if r.RedirectURI != "" {
		if _, err := parseHTTPURL(r.RedirectURI); err != nil {
			return nil, newErr(CodeTransport, "response_uri answered an unusable redirect_uri", err)
		}
		out.RedirectURI = r.RedirectURI
	}
	return out, nil
}

// vpRejection decodes a response_uri's error: the OAuth form {"error","error_description"},
// or {"code","message"} as idgate's verifier renders its errors.
func vpRejection(status int, body []byte) *ProtocolError {
	pe := protocolError(&httpResult{status: status, body: body})
	if pe.ErrorCode != "" {
		return pe
	}
	var alt struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &alt) == nil && len(alt.Code) <= 128 {
		pe.ErrorCode, pe.Description = alt.Code, alt.Message
		if len(pe.Description) > 512 {
			pe.Description = pe.Description[:512]
		}
	}
	return pe
}
