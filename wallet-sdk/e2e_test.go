package walletsdk_test

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
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
	srv.Config.Handler = svc.Handler()
	srv.Start()
	t.Cleanup(srv.Close)

	holder, err := svc.Enrol(ctx, "test", []credential.Type{credential.EmployeeID}, map[string]any{
		"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
		"employee_number": "E-42", "organisation": "Ministry of Transport",
	})
	if err != nil {
		t.Fatal(err)
	}
	offer, err := svc.CreateOffer(ctx, "test", holder.ID, credential.EmployeeID)
	if err != nil {
		t.Fatal(err)
	}

	w, err := walletsdk.New(walletsdk.Config{Dir: t.TempDir(), StoreKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := w.AcceptOffer(ctx, offer.URI, "")
	if err != nil {
		t.Fatal(err)
	}
	c := creds[0]
	if c.VCT != credential.VCTEmployeeID || c.Issuer != url || c.Claims["employee_number"] != "E-42" {
		t.Fatalf("credential %+v", c)
	}
	// The offer is single-use.
	if _, err := w.AcceptOffer(ctx, offer.URI, ""); walletsdk.CodeOf(err) != walletsdk.CodeTokenError {
		t.Fatalf("replayed offer: %v", err)
	}

	trust := certs.NewTrustList(
		ca.Anchor(certs.PurposeCredential, credential.VCTEmployeeID, empCN),
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
	vr, err := rp.CreateRequest(credential.VCTEmployeeID, []string{"given_name", "organisation"})
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := json.Marshal(vr) // what POST /v1/presentation-requests answers
	req, err := walletsdk.ParsePresentationRequest(wire)
	if err != nil {
		t.Fatal(err)
	}
	pres, err := w.Present(ctx, c.ID, req)
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
	if !slices.Equal(got, []string{"given_name", "organisation"}) || res.Claims["given_name"] != "Erika" {
		t.Fatalf("verifier saw claims %v", res.Claims)
	}
}
