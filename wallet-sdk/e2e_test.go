package walletsdk_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/issuerhttp"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/statuslist"
	"github.com/idgate/idgate/verifier"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// The real issuer service and the real relying-party verifier, with the wallet in between:
// issuance over HTTP (OpenID4VCI), the verifier's request JSON through
// ParsePresentationRequest, and full relying-party verification (trust list, status list).
func TestEndToEndRealIssuerAndVerifier(t *testing.T) {
	ctx := t.Context()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	ca := certstest.NewCA(t)
	const empCN, mdlCN = "idgate Employee ID Issuer", "idgate Driving Licence Issuer"
	svc, err := issuer.New(issuer.Config{
		Store: memory.New(), PublicURL: url,
		Signers: map[credential.Type]certs.Signer{
			credential.EmployeeID:     ca.Issue(t, empCN, certstest.WithURI(url)),
			credential.DrivingLicence: ca.Issue(t, mdlCN, certstest.WithURI(url)),
		},
		StatusSigner: ca.Issue(t, "idgate Status List Signer", certstest.WithURI(url)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = issuerhttp.Handler(svc, issuerhttp.Config{})
	srv.Start()
	t.Cleanup(srv.Close)

	// Enrolment and offers through the operator HTTP API, as an issuing office would.
	opToken, err := svc.NewOperatorToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	operator := func(path string, body any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+opToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: HTTP %d %v %v", path, resp.StatusCode, out, err)
		}
		return out
	}
	holder := operator("/v1/holders", map[string]any{
		"credential_types": []string{"employee-id", "mdl"},
		"attributes": map[string]any{
			"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
			"employee_number": "E-42", "organisation": "Ministry of Transport",
			"issuing_country": "DE", "issuing_authority": "KBA", "document_number": "D1234567",
			"driving_privileges": []any{map[string]any{"vehicle_category_code": "B", "issue_date": "2010-01-01", "expiry_date": "2030-01-01"}},
		},
	})
	offerURI := func(typ string) string {
		o := operator("/v1/offers", map[string]any{"holder_id": holder["id"], "credential_type": typ})
		u, _ := o["offer_uri"].(string)
		return u
	}
	empOffer := offerURI("employee-id")

	w, err := walletsdk.New(walletsdk.Config{Dir: t.TempDir(), StoreKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := w.AcceptOffer(ctx, empOffer, "")
	if err != nil {
		t.Fatal(err)
	}
	c := creds[0]
	if c.VCT != credential.VCTEmployeeID || c.Issuer != url || c.Claims["employee_number"] != "E-42" {
		t.Fatalf("credential %+v", c)
	}
	// The offer is single-use: a replay gets no second credential (shortly after the first
	// use the token endpoint repeats its answer, and the credential endpoint refuses the
	// replay's new device key).
	if _, err := w.AcceptOffer(ctx, empOffer, ""); walletsdk.CodeOf(err) != walletsdk.CodeTokenError && walletsdk.CodeOf(err) != walletsdk.CodeCredentialError {
		t.Fatalf("replayed offer: %v", err)
	}

	trust := certs.NewTrustList(
		ca.Anchor(certs.PurposeCredential, credential.VCTEmployeeID, empCN),
		ca.Anchor(certs.PurposeCredential, credential.VCTDrivingLicence, mdlCN),
		ca.Anchor(certs.PurposeStatusList, "*"),
	)
	cv, err := credential.NewVerifier(credential.VerifierConfig{Trust: trust, Status: statuslist.NewChecker(statuslist.CheckerConfig{Trust: trust})})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := verifier.NewRP(verifier.RPConfig{Credentials: cv, Requests: verifier.NewMemoryRequests(16), Audience: "https://rp.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	present := func(credID, vct string, claims []string) map[string]any {
		t.Helper()
		vr, err := rp.CreateRequest(vct, claims)
		if err != nil {
			t.Fatal(err)
		}
		wire, _ := json.Marshal(vr) // what POST /v1/presentation-requests answers
		req, err := walletsdk.ParsePresentationRequest(wire)
		if err != nil {
			t.Fatal(err)
		}
		pres, err := w.Present(ctx, credID, req)
		if err != nil {
			t.Fatal(err)
		}
		res, err := rp.Verify(ctx, req.ID, pres)
		if err != nil {
			t.Fatalf("verifier rejects the presentation: %v", err)
		}
		var got []string
		for k := range res.Claims {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, claims) {
			t.Fatalf("verifier saw claims %v, requested %v", got, claims)
		}
		return res.Claims
	}
	if got := present(c.ID, credential.VCTEmployeeID, []string{"given_name", "organisation"}); got["given_name"] != "Erika" {
		t.Fatalf("given_name = %v", got["given_name"])
	}

	// The driving licence: array-element disclosures (driving_privileges) and age_over_NN.
	if _, err := w.AcceptOffer(ctx, offerURI("mdl"), ""); err != nil {
		t.Fatal(err)
	}
	lic, err := w.FindCredential(credential.VCTDrivingLicence)
	if err != nil {
		t.Fatal(err)
	}
	got := present(lic.ID, credential.VCTDrivingLicence, []string{"age_over_18", "driving_privileges"})
	if dp, _ := got["driving_privileges"].([]any); got["age_over_18"] != true || len(dp) != 1 {
		t.Fatalf("mdl claims %v", got)
	}
}
