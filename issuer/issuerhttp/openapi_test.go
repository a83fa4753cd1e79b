package issuerhttp

import (
	"context"
	"encoding/json"
	"github.com/idgate/idgate/issuer"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/api"
	"github.com/idgate/idgate/api/apitest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/internal/ratelimit"
	"github.com/idgate/idgate/issuer/passkey/passkeytest"
	"github.com/idgate/idgate/issuer/storage"
)

// Ids and secrets the document's examples use; the test seeds the store with them so the
// example requests meet real records.
const (
	exampleHolder     = "4b5e0a6c1d2f3a4b5c6d7e8f"
	exampleCredential = "a1b2c3d4e5f60718293a4b5c"
	exampleStatusList = "9c1f4e2ab07d33c5e1a8b6d2"
	exampleCode       = "SplxlOBeZQQYbYS6WxSbIA-docs-example-code-0000000"
)

// muxRouted reports whether a net/http ServeMux found a handler: it answers a path or method
// it has none for in plain text, the issuer's handlers in JSON (or a page).
func muxRouted(r apitest.Response) bool {
	unrouted := (r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed) &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain")
	return !unrouted
}

// TestOpenAPI keeps api/issuer.yaml true to Handler: the routes registered in this package
// are the document's operations, every documented path and method is answered (and no
// other method), each operation's example request meets the real handler with the status
// noted below, and every request and answer of the wallet, operator and passkey flows
// matches the document.
func TestOpenAPI(t *testing.T) {
	doc := apitest.Load(t, api.Issuer)
	apitest.CheckRoutes(t, doc, apitest.MuxRoutes(t, "."))

	f := newPasskeyFixture(t, nil, "localhost")
	seedExamples(t, f)
	c := apitest.NewClient(t, doc, f.url)
	c.Tokens["operatorToken"] = f.token

	apitest.CheckAnswered(c, muxRouted)

	code := func(want string) func(testing.TB, apitest.Response) {
		return func(t testing.TB, r apitest.Response) {
			if r.Code() != want {
				t.Errorf("code %q, want %q", r.Code(), want)
			}
		}
	}
	apitest.RunExamples(c, []apitest.Case{
		{Op: "getCredentialIssuerMetadata", Want: 200},
		{Op: "getAuthorizationServerMetadata", Want: 200},
		{Op: "getJWTVCIssuerMetadata", Want: 200},
		{Op: "healthz", Want: 200},
		{Op: "getOpenAPI", Want: 200},
		{Op: "nonce", Want: 200},
		{Op: "getStatusList", Want: 200},
		{Op: "enrolHolder", Want: 201},
		{Op: "getHolder", Want: 200},
		{Op: "createOffer", Want: 201},
		{Op: "listCredentials", Want: 200},
		{Op: "setCredentialStatus", Want: 200},
		{Op: "listAudit", Want: 200},
		{Op: "invitePasskey", Want: 201},
		// The seeded offer's code: redeemed once, for the access token of the credential case.
		{Op: "token", Want: 200, Check: func(_ testing.TB, r apitest.Response) {
			c.Tokens["accessToken"], _ = r.JSON()["access_token"].(string)
		}},
		// A proof signed by no holder key here: decoded and checked, rejected as a proof.
		{Op: "credential", Example: "proofs", Want: 400, Check: code(issuer.CodeInvalidProof)},
		{Op: "credential", Example: "proof", Want: 400, Check: code(issuer.CodeInvalidProof)},
		{Op: "passkeyRegisterPage", Want: 200},
		{Op: "passkeyOffersPage", Want: 200},
		{Op: "passkeyScript", Want: 200},
		{Op: "passkeyStyle", Want: 200},
		// Invitation tokens and ceremony sessions are secrets the server makes; the examples'
		// are well formed (the ceremony answers come from a software authenticator for the
		// documented origin) but not ones this server issued.
		{Op: "passkeyRegisterBegin", Want: 404, Check: code("invalid_invite")},
		{Op: "passkeyRegisterFinish", Want: 400, Check: code("invalid_session")},
		{Op: "passkeyLoginBegin", Want: 200},
		{Op: "passkeyLoginFinish", Want: 400, Check: code("invalid_session")},
	})

	t.Run("wallet and operator flows", func(t *testing.T) { walletFlow(t, f, c) })
	t.Run("passkey flow", func(t *testing.T) { passkeyFlow(t, f, c) })
	t.Run("rate limited", func(t *testing.T) {
		lim, err := ratelimit.New(ratelimit.Config{Rate: 0.001, Burst: 1, MaxClients: 10})
		if err != nil {
			t.Fatal(err)
		}
		rf := newFixtureHTTP(t, nil, Config{RateLimit: lim})
		rc := apitest.NewClient(t, doc, rf.url)
		if r := rc.Do(apitest.Request{Method: "POST", Path: "/nonce"}); r.Status != 200 {
			t.Fatalf("first nonce: %s", r)
		}
		r := rc.Do(apitest.Request{Method: "POST", Path: "/nonce"})
		if r.Status != http.StatusTooManyRequests || r.Code() != CodeRateLimited || r.Header.Get("Retry-After") == "" {
			t.Fatalf("second nonce: %s", r)
		}
	})
}

// seedExamples stores the records the document's examples name.
func seedExamples(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	if err := f.store.CreateStatusList(ctx, storage.StatusList{
		ID: exampleStatusList, URI: f.url + "/status/" + exampleStatusList, Bits: 2, Size: 1 << 16, CreatedAt: f.now.UTC(),
	}); err != nil {
		t.Fatal(err)
	}
	var attrs map[string]any
	if err := json.Unmarshal([]byte(mdlAttrs), &attrs); err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateHolder(ctx, storage.Holder{ID: exampleHolder, Attributes: attrs, CreatedAt: f.now.UTC()}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateOffer(ctx, storage.Offer{
		ID: randomID(), HolderID: exampleHolder, CredentialType: string(credential.DrivingLicence),
		PreAuthCodeHash: hashSecret(exampleCode), CreatedAt: f.now.UTC(), ExpiresAt: f.now.Add(time.Hour).UTC(),
	}); err != nil {
		t.Fatal(err)
	}
	// The example credential's own offer, already redeemed.
	offerID := randomID()
	if err := f.store.CreateOffer(ctx, storage.Offer{
		ID: offerID, HolderID: exampleHolder, CredentialType: string(credential.DrivingLicence),
		PreAuthCodeHash: hashSecret(randomToken(32)), CreatedAt: f.now.UTC(), ExpiresAt: f.now.Add(time.Hour).UTC(),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.IssueCredential(ctx, storage.Credential{
		ID: exampleCredential, StatusListID: exampleStatusList, HolderID: exampleHolder, OfferID: offerID, VCT: credential.VCTDrivingLicence,
		HolderKeyThumbprint: "seeded", IssuedAt: f.now.UTC(), ExpiresAt: f.now.Add(24 * time.Hour).UTC(), UpdatedAt: f.now.UTC(),
	}, storage.IssueOptions{}); err != nil {
		t.Fatal(err)
	}
}

// nonceOf takes a fresh c_nonce from the nonce endpoint.
func nonceOf(t *testing.T, c *apitest.Client) string {
	t.Helper()
	r := c.Do(apitest.Request{Method: "POST", Path: "/nonce"})
	n, _ := r.JSON()["c_nonce"].(string)
	if r.Status != 200 || n == "" {
		t.Fatalf("nonce: %s", r)
	}
	return n
}

func jsonBody(v any) []byte { b, _ := json.Marshal(v); return b }

// walletFlow enrols, offers, redeems, issues, reads the status list and changes the
// credential's status, all through the validating client.
func walletFlow(t *testing.T, f *fixture, c *apitest.Client) {
	do := func(method, path, ct string, body []byte) apitest.Response {
		t.Helper()
		return c.Do(apitest.Request{Method: method, Path: path, ContentType: ct, Body: body})
	}
	r := do("POST", "/v1/holders", "application/json", []byte(`{"credential_types":["employee-id","mdl"],"attributes":`+mdlAttrs+`}`))
	if r.Status != 201 {
		t.Fatalf("enrol: %s", r)
	}
	holderID := r.JSON()["id"].(string)
	r = do("POST", "/v1/offers", "application/json", jsonBody(map[string]string{"holder_id": holderID, "credential_type": "employee-id"}))
	if r.Status != 201 {
		t.Fatalf("offer: %s", r)
	}
	offerURI := r.JSON()["offer_uri"].(string)
	form := url.Values{"grant_type": {preAuthGrant}, "pre-authorized_code": {offerCode(t, offerURI)}}
	r = do("POST", "/token", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if r.Status != 200 {
		t.Fatalf("token: %s", r)
	}
	tok := r.JSON()
	// A repeat within the repeat window (a lost answer) gets the same token; later the code is spent.
	if r := do("POST", "/token", "application/x-www-form-urlencoded", []byte(form.Encode())); r.Status != 200 || r.JSON()["access_token"] != tok["access_token"] {
		t.Fatalf("repeated redemption: %s", r)
	}
	f.now = f.now.Add(31 * time.Second)
	if r := do("POST", "/token", "application/x-www-form-urlencoded", []byte(form.Encode())); r.Status != 400 || r.Code() != issuer.CodeInvalidGrant {
		t.Fatalf("late redemption: %s", r)
	}
	access := tok["access_token"].(string)
	h := newHolder(t)

	// A proof over a stale nonce: invalid_nonce with a fresh c_nonce to retry with.
	c.Tokens["accessToken"] = access
	stale := h.proof(t, f.url, "not-a-nonce", f.now, nil)
	r = do("POST", "/credential", "application/json", []byte(credentialBody("employee-id", stale)))
	if r.Status != 400 || r.Code() != issuer.CodeInvalidNonce || r.JSON()["c_nonce"] == nil {
		t.Fatalf("stale nonce: %s", r)
	}
	good := h.proof(t, f.url, tok["c_nonce"].(string), f.now, nil)
	r = do("POST", "/credential", "application/json", []byte(credentialBody("employee-id", good)))
	if r.Status != 200 {
		t.Fatalf("credential: %s", r)
	}
	issued := r.JSON()
	// Repeated with the same key and a fresh nonce (a lost answer): the same credential again.
	again := h.proof(t, f.url, nonceOf(t, c), f.now, nil)
	if r := do("POST", "/credential", "application/json", []byte(credentialBody("employee-id", again))); r.Status != 200 {
		t.Fatalf("repeated credential request: %s", r)
	}
	// Another key cannot spend the token again.
	other := newHolder(t)
	r = do("POST", "/credential", "application/json", []byte(credentialBody("employee-id", other.proof(t, f.url, nonceOf(t, c), f.now, nil))))
	if r.Status != 401 || r.Code() != issuer.CodeInvalidToken {
		t.Fatalf("spent token, other key: %s", r)
	}
	c.Tokens["accessToken"] = "unknown-token"
	r = do("POST", "/credential", "application/json", []byte(credentialBody("employee-id", good)))
	if r.Status != 401 || r.Code() != issuer.CodeInvalidToken || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("unknown token: %s", r)
	}
	if issued["credentials"] == nil {
		t.Fatalf("credential answer: %v", issued)
	}

	r = do("GET", "/v1/credentials?holder_id="+holderID, "", nil)
	list, _ := r.JSON()["credentials"].([]any)
	if r.Status != 200 || len(list) != 1 {
		t.Fatalf("list: %s", r)
	}
	cred := list[0].(map[string]any)
	if r := do("GET", "/status/"+cred["status_list"].(string), "", nil); r.Status != 200 {
		t.Fatalf("status list: %s", r)
	}
	id := cred["id"].(string)
	for _, step := range []struct {
		action string
		status int
	}{{"suspend", 200}, {"reinstate", 200}, {"revoke", 200}, {"reinstate", 409}, {"delete", 400}} {
		r := c.Do(apitest.Request{Method: "POST", Path: "/v1/credentials/" + id + "/" + step.action, Invalid: step.action == "delete"})
		if r.Status != step.status {
			t.Errorf("%s: %s, want %d", step.action, r, step.status)
		}
	}
	if r := c.Unrouted("GET", "/v1/credentials/"+id, f.token); muxRouted(r) {
		t.Errorf("GET of one credential is answered but not documented: %s", r)
	}
	if r := do("GET", "/v1/audit?after=0", "", nil); r.Status != 200 || len(r.JSON()["events"].([]any)) == 0 {
		t.Fatalf("audit: %s", r)
	}
	if r := do("GET", "/v1/holders/unknown", "", nil); r.Status != 404 || r.Code() != issuer.CodeNotFound {
		t.Fatalf("unknown holder: %s", r)
	}
	if r := c.Do(apitest.Request{Method: "GET", Path: "/v1/holders/" + holderID, NoAuth: true}); r.Status != 401 || r.Code() != issuer.CodeUnauthorized {
		t.Fatalf("no operator token: %s", r)
	}
	if r := c.Do(apitest.Request{Method: "POST", Path: "/v1/holders", ContentType: "application/json",
		Body: []byte(`{"credential_types":["mdl"],"attributes":{},"extra":1}`), Invalid: true}); r.Status != 400 || r.Code() != issuer.CodeInvalidRequest {
		t.Fatalf("unknown member: %s", r)
	}
	if r := do("POST", "/v1/holders", "application/json", []byte(`{"credential_types":["mdl"],"attributes":{"family_name":"X"},"portrait":"/9j/4AAQ"}`)); r.Status != 503 || r.Code() != issuer.CodeFaceUnavailable {
		t.Fatalf("portrait without a face enroller: %s", r)
	}
}

// passkeyFlow invites a holder, registers a passkey with a software authenticator, signs in
// and collects the offers.
func passkeyFlow(t *testing.T, f *fixture, c *apitest.Client) {
	r := c.Do(apitest.Request{Method: "POST", Path: "/v1/holders/" + exampleHolder + "/passkey-invitations",
		ContentType: "application/json", Body: []byte(`{"credential_types":["mdl","employee-id"]}`)})
	if r.Status != 201 {
		t.Fatalf("invite: %s", r)
	}
	u, err := url.Parse(r.JSON()["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Do(apitest.Request{Method: "GET", Path: u.RequestURI()}); r.Status != 200 {
		t.Fatalf("register page: %s", r)
	}
	a := passkeytest.New(f.url)
	ceremony := func(kind string, begin []byte, answer func(json.RawMessage) (json.RawMessage, error)) apitest.Response {
		t.Helper()
		req := apitest.Request{Method: "POST", Path: "/passkey/" + kind + "/begin"}
		if begin != nil {
			req.ContentType, req.Body = "application/json", begin
		}
		r := c.Do(req)
		if r.Status != 200 {
			t.Fatalf("%s begin: %s", kind, r)
		}
		b := r.JSON()
		opts, _ := json.Marshal(b["publicKey"])
		cred, err := answer(opts)
		if err != nil {
			t.Fatal(err)
		}
		return c.Do(apitest.Request{Method: "POST", Path: "/passkey/" + kind + "/finish", ContentType: "application/json",
			Body: jsonBody(map[string]any{"session": b["session"], "credential": cred})})
	}
	if r := ceremony("register", jsonBody(map[string]string{"invite": u.Query().Get("invite")}), a.Create); r.Status != 200 {
		t.Fatalf("register: %s", r)
	}
	r = ceremony("login", nil, a.Get)
	if offers, _ := r.JSON()["offers"].([]any); r.Status != 200 || len(offers) == 0 {
		t.Fatalf("login: %s", r)
	}
	if r := c.Do(apitest.Request{Method: "POST", Path: "/passkey/register/begin", ContentType: "application/json",
		Body: jsonBody(map[string]string{"invite": u.Query().Get("invite")})}); r.Status != 410 {
		t.Fatalf("invitation reused: %s", r)
	}
}
