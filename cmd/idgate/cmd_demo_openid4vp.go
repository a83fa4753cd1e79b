package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/verifier"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// deskQuery is the rental desk's DCQL query for claims of the SD-JWT VC driving licence.
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

// deskMDocQuery is the rental desk's DCQL query for elements of the mDL mdoc (paths
// [namespace, element]).
func deskMDocQuery(elements []string) json.RawMessage {
	cl := make([]map[string]any, len(elements))
	for i, e := range elements {
		cl[i] = map[string]any{"path": []string{mdoc.NamespaceMDL, e}, "intent_to_retain": false}
	}
	q, _ := json.Marshal(map[string]any{"credentials": []any{map[string]any{
		"id": "mdl", "format": "mso_mdoc", "meta": map[string]any{"doctype_value": mdoc.DocTypeMDL}, "claims": cl,
	}}})
	return q
}

// deskTransaction opens an OpenID4VP transaction for a DCQL query at the verifier and lets the
// wallet resolve its link: the signed request is fetched and validated, the query evaluated.
func (d *demo) deskTransaction(ctx context.Context, w *walletsdk.Wallet, query json.RawMessage) (*verifier.Created, *walletsdk.VPRequest, error) {
	body, _ := json.Marshal(map[string]any{"dcql_query": query})
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
		if c.Format == walletsdk.FormatMdoc {
			d.detail("query %q: mdoc %s (%s) discloses %s; no other element leaves the wallet", q.ID, c.CredentialID, c.DocType, strings.Join(paths, " "))
			continue
		}
		d.detail("query %q: credential %s discloses %s; nothing else selectively disclosable", q.ID, c.CredentialID, strings.Join(paths, " "))
	}
}

// deskMDoc is the rental desk reading age_over_19 from the mdoc licence: the operator offers
// the mDL mdoc, the wallet accepts it over OpenID4VCI, the desk asks for the one element over
// OpenID4VP and reads it once the wallet answered with a DeviceResponse.
func (d *demo) deskMDoc(ctx context.Context, w *walletsdk.Wallet, holderID string) (walletsdk.Credential, error) {
	var offer issuerOffer
	if err := d.operator("POST", "/v1/offers", `{"holder_id":"`+holderID+`","credential_type":"`+string(issuer.MdocMDL)+`"}`, http.StatusCreated, &offer); err != nil {
		return walletsdk.Credential{}, err
	}
	creds, err := w.AcceptOffer(ctx, offer.URI, "")
	if err != nil {
		return walletsdk.Credential{}, fmt.Errorf("wallet accept the mdoc licence: %w", err)
	}
	mdl := creds[0]
	d.say("wallet accepted the driving licence as an ISO/IEC 18013-5 mdoc through OpenID4VCI (mso_mdoc, bound to its device key)")
	d.detail("credential %s, doctype %s, %d data elements, valid until %s; the issuer deleted the sealed portrait once it was in the signed document",
		mdl.ID, mdl.DocType, len(mdl.Disclosable), mdl.ExpiresAt.Format(time.DateOnly))

	created, vpReq, err := d.deskTransaction(ctx, w, deskMDocQuery([]string{"age_over_19"}))
	if err != nil {
		return mdl, err
	}
	d.say("rental desk asks for age_over_19 from the mdoc licence over OpenID4VP")
	d.detail("transaction %s, link %s", created.ID, created.AuthorizationRequest)
	d.printPreview(vpReq)
	if _, err := w.RespondVP(ctx, vpReq, nil); err != nil {
		return mdl, fmt.Errorf("wallet respond with the mdoc: %w", err)
	}
	outcome, raw, err := d.deskOutcome(ctx, created.ID)
	if err != nil {
		return mdl, err
	}
	if outcome.Status != "verified" {
		return mdl, fmt.Errorf("verifier rejected a valid mdoc presentation: %s", raw)
	}
	d.detail("the wallet posted an encrypted vp_token with a DeviceResponse, device-signed over the SessionTranscript of")
	d.detail("client_id %s, the nonce, the encryption key's thumbprint and the response_uri (OpenID4VP B.2.6.1)", vpReq.Verifier.ClientID)
	d.detail("ACCEPTED, the desk reads: %s", raw)
	return mdl, nil
}
