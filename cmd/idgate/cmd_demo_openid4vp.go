package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/verifier"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// deskQuery is the rental desk's DCQL query: two claims of a driving licence.
func deskQuery(claims []string) json.RawMessage {
	cl := make([]map[string]any, len(claims))
	for i, c := range claims {
		cl[i] = map[string]any{"path": []string{c}}
	}
	q, _ := json.Marshal(map[string]any{"credentials": []any{map[string]any{
		"id": "licence", "format": "dc+sd-jwt",
		"meta": map[string]any{"vct_values": []string{credential.VCTDrivingLicence}}, "claims": cl,
	}}})
	return q
}

// deskTransaction opens an OpenID4VP transaction at the verifier and lets the wallet resolve
// its link: the signed request is fetched and validated, the query evaluated.
func (d *demo) deskTransaction(ctx context.Context, w *walletsdk.Wallet, claims []string) (*verifier.Created, *walletsdk.VPRequest, error) {
	body, _ := json.Marshal(map[string]any{"dcql_query": deskQuery(claims)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.verifyURL+"/v1/presentation-requests", bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	var created verifier.Created
	if err := doJSON(req, http.StatusCreated, &created); err != nil {
		return nil, nil, err
	}
	vpReq, err := w.ResolveVP(ctx, created.AuthorizationRequest)
	if err != nil {
		return nil, nil, fmt.Errorf("wallet resolve %s: %w", created.AuthorizationRequest, err)
	}
	return &created, vpReq, nil
}

// deskOutcome is the rental desk reading its transaction's result (once).
func (d *demo) deskOutcome(ctx context.Context, id string) (*verifier.Outcome, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.verifyURL+"/v1/presentation-requests/"+id, nil)
	if err != nil {
		return nil, "", err
	}
	var raw json.RawMessage
	if err := doJSON(req, http.StatusOK, &raw); err != nil {
		return nil, "", err
	}
	var out verifier.Outcome
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, "", err
	}
	return &out, string(raw), nil
}

// previewLines is the consent screen: who asks and exactly which claims go out.
func (d *demo) printPreview(r *walletsdk.VPRequest) {
	d.detail("signed request from %s (%s, issued by %s), answers go to %s as %s",
		r.Verifier.ClientID, r.Verifier.Subject, r.Verifier.Issuer, r.ResponseURI, r.ResponseMode)
	for _, q := range r.Queries {
		c := q.Candidates[0]
		var paths []string
		for _, cl := range c.Disclosed {
			paths = append(paths, cl.Path)
		}
		d.detail("query %q: credential %s discloses %s; nothing else selectively disclosable", q.ID, c.CredentialID, strings.Join(paths, " "))
	}
}
