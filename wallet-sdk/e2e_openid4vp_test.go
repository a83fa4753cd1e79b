package walletsdk_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/issuerhttp"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/statuslist"
	"github.com/idgate/idgate/verifier"
	"github.com/idgate/idgate/verifier/vpstore"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// The real issuer, the real verifier's OpenID4VP routes and the wallet SDK over HTTP: the
// relying party creates a transaction with a DCQL query, the wallet resolves the link,
// previews exactly what it would disclose and answers (direct_post.jwt), the relying party
// reads the verified claims once.
func TestEndToEndOpenID4VPRealVerifier(t *testing.T) {
	ctx := t.Context()
	ca := certstest.NewCA(t)
	const mdlCN = "idgate Driving Licence Issuer"

	isrv := httptest.NewUnstartedServer(nil)
	issURL := "http://" + isrv.Listener.Addr().String()
	svc, err := issuer.New(issuer.Config{
		Store: memory.New(), PublicURL: issURL,
		Signers: map[credential.Type]certs.Signer{
			credential.EmployeeID:     ca.Issue(t, "idgate Employee ID Issuer", certstest.WithURI(issURL)),
			credential.DrivingLicence: ca.Issue(t, mdlCN, certstest.WithURI(issURL)),
		},
		StatusSigner: ca.Issue(t, "idgate Status List Signer", certstest.WithURI(issURL)),
	})
	if err != nil {
		t.Fatal(err)
	}
	isrv.Config.Handler = issuerhttp.Handler(svc, issuerhttp.Config{})
	isrv.Start()
	t.Cleanup(isrv.Close)
	opToken, err := svc.NewOperatorToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	post := func(url, bearer string, body any) (int, []byte) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, raw
	}
	var holder, offer struct {
		ID       string `json:"id"`
		OfferURI string `json:"offer_uri"`
	}
	_, raw := post(issURL+"/v1/holders", opToken, map[string]any{
		"credential_types": []string{"mdl"},
		"attributes": map[string]any{
			"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
			"issuing_country": "DE", "issuing_authority": "KBA", "document_number": "D1234567",
			"driving_privileges": []any{map[string]any{"vehicle_category_code": "B", "issue_date": "2010-01-01", "expiry_date": "2030-01-01"}},
		},
	})
	json.Unmarshal(raw, &holder)
	_, raw = post(issURL+"/v1/offers", opToken, map[string]any{"holder_id": holder.ID, "credential_type": "mdl"})
	if json.Unmarshal(raw, &offer); offer.OfferURI == "" {
		t.Fatalf("offer: %s", raw)
	}

	// The rental desk's verifier: request signer with SAN localhost under the same test CA.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	vURL := "http://localhost:" + port
	trust := certs.NewTrustList(ca.Anchor(certs.PurposeCredential, credential.VCTDrivingLicence, mdlCN), ca.Anchor(certs.PurposeStatusList, "*"))
	cv, err := credential.NewVerifier(credential.VerifierConfig{Trust: trust, Status: statuslist.NewChecker(statuslist.CheckerConfig{Trust: trust})})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := verifier.NewRP(verifier.RPConfig{Credentials: cv, Requests: verifier.NewMemoryRequests(16), Audience: vURL})
	if err != nil {
		t.Fatal(err)
	}
	vp, err := verifier.NewVP(verifier.VPConfig{
		Credentials: cv, Store: vpstore.NewMemory(time.Now), BaseURL: vURL,
		Signer: ca.Issue(t, "rental desk", certstest.WithDNS("localhost"), certstest.WithProfile(certs.ProfileRequestSigner)),
	})
	if err != nil {
		t.Fatal(err)
	}
	vsrv := verifier.NewServer((&verifier.API{RP: rp, VP: vp, OpenRP: true}).Handler)
	go func() { _ = vsrv.Serve(l) }()
	t.Cleanup(func() { _ = vsrv.Shutdown() })

	w, err := walletsdk.New(walletsdk.Config{Dir: t.TempDir(), StoreKey: make([]byte, 32),
		VerifierTrust: ca.TrustList(certs.PurposeVerifier, certs.ScopeAny)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AcceptOffer(ctx, offer.OfferURI, ""); err != nil {
		t.Fatal(err)
	}

	st, raw := post(vURL+"/v1/presentation-requests", "", map[string]any{"dcql_query": json.RawMessage(`{"credentials":[{
		"id":"licence","format":"dc+sd-jwt","meta":{"vct_values":["` + credential.VCTDrivingLicence + `"]},
		"claims":[{"path":["family_name"]},{"path":["driving_privileges"]}]}]}`)})
	var created verifier.Created
	if st != http.StatusCreated || json.Unmarshal(raw, &created) != nil {
		t.Fatalf("create: %d %s", st, raw)
	}
	req, err := w.ResolveVP(ctx, created.AuthorizationRequest)
	if err != nil {
		t.Fatal(err)
	}
	if req.Verifier.ClientID != vp.ClientID() || req.ResponseMode != oid4vp.ModeDirectPostJWT || len(req.Queries) != 1 {
		t.Fatalf("preview %+v", req)
	}
	var paths []string
	for _, d := range req.Queries[0].Candidates[0].Disclosed {
		paths = append(paths, d.Path)
	}
	if strings.Join(paths, " ") != `["family_name"] ["driving_privileges"]` {
		t.Fatalf("preview discloses %v", paths)
	}
	if _, err := w.RespondVP(ctx, req, nil); err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get(vURL + "/v1/presentation-requests/" + created.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out verifier.Outcome
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Status != "verified" {
		t.Fatalf("outcome %+v %v", out, err)
	}
	got := out.Credentials["licence"][0].Claims
	if got["family_name"] != "Mustermann" || got["driving_privileges"] == nil || got["given_name"] != nil || got["birth_date"] != nil {
		t.Fatalf("verifier read %v", got)
	}

	// The same response again is refused by the verifier's single use.
	if _, err := w.RespondVP(ctx, req, nil); walletsdk.CodeOf(err) != walletsdk.CodeVerifierRejected {
		t.Fatalf("replay: %v", err)
	}

	// Same-device: the desk's app gives its return URL; the wallet is sent back there with a
	// response_code, which the desk presents to read the outcome.
	const back = "https://rental.example/return"
	st, raw = post(vURL+"/v1/presentation-requests", "", map[string]any{"redirect_uri": back, "dcql_query": json.RawMessage(`{"credentials":[{
		"id":"licence","format":"dc+sd-jwt","meta":{"vct_values":["` + credential.VCTDrivingLicence + `"]},"claims":[{"path":["family_name"]}]}]}`)})
	if st != http.StatusCreated || json.Unmarshal(raw, &created) != nil {
		t.Fatalf("create same-device: %d %s", st, raw)
	}
	if req, err = w.ResolveVP(ctx, created.AuthorizationRequest); err != nil {
		t.Fatal(err)
	}
	res, err := w.RespondVP(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	code, ok := strings.CutPrefix(res.RedirectURI, back+"#response_code=")
	if !ok || len(code) < 22 {
		t.Fatalf("redirect_uri %q", res.RedirectURI)
	}
	read := func(code string) (int, verifier.Outcome) {
		t.Helper()
		resp, err := http.Get(vURL + "/v1/presentation-requests/" + created.ID + "?response_code=" + code)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out verifier.Outcome
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if st, _ := read(""); st != http.StatusForbidden {
		t.Fatalf("read without the response_code: %d", st)
	}
	if st, out := read(code); st != http.StatusOK || out.Status != "verified" || out.Credentials["licence"][0].Claims["family_name"] != "Mustermann" {
		t.Fatalf("same-device outcome: %d %+v", st, out)
	}
}
