package verifier

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/sdjwt"
	"github.com/idgate/idgate/verifier/vpstore"
)

// vpWorld is a verifier serving OpenID4VP on 127.0.0.1 (as http://localhost:port, the host
// its request signer's SAN names) and a wallet's view of it.
type vpWorld struct {
	env   *credentialtest.Env
	base  string
	trust *certs.TrustList // the wallet's trusted verifier roots
	vp    *VP
	mdoc  *mdocAuthority // an mDL issuing authority the verifier trusts
	mu    sync.Mutex
	now   time.Time
}

func (w *vpWorld) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }

func (w *vpWorld) advance(d time.Duration) { w.mu.Lock(); w.now = w.now.Add(d); w.mu.Unlock() }

func newVPWorld(t *testing.T, mode string) *vpWorld {
	t.Helper()
	env := credentialtest.New(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	w := &vpWorld{env: env, base: "http://localhost:" + port, now: time.Now(),
		trust: env.CA.TrustList(certs.PurposeVerifier, certs.ScopeAny), mdoc: newMDocAuthority(t, "UT")}
	rp, err := NewRP(RPConfig{Credentials: env.Verifier(t), Requests: NewMemoryRequests(100), Audience: "https://rental.example"})
	if err != nil {
		t.Fatal(err)
	}
	w.vp, err = NewVP(VPConfig{
		Credentials: env.Verifier(t), Store: vpstore.NewMemory(w.clock),
		MDoc:    &MDocConfig{Trust: w.mdoc.trustList(), Status: env.Checker()},
		Signer:  env.CA.Issue(t, "rental desk", certstest.WithDNS("localhost"), certstest.WithProfile(certs.ProfileRequestSigner)),
		BaseURL: w.base, ResponseMode: mode, Now: w.clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer((&API{RP: rp, VP: w.vp, OpenRP: true}).Handler)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return w
}

func (w *vpWorld) do(t *testing.T, method, path, ctype string, body []byte) (int, []byte) {
	t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = w.base + path
	}
	req, err := http.NewRequest(method, path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// create opens a transaction and returns it.
func (w *vpWorld) create(t *testing.T, body string) Created {
	t.Helper()
	st, raw := w.do(t, http.MethodPost, "/v1/presentation-requests", "application/json", []byte(body))
	if st != http.StatusCreated {
		t.Fatalf("create: %d %s", st, raw)
	}
	var c Created
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// resolve is the wallet fetching and validating the request behind a link (POST method, with
// a wallet_nonce).
func (w *vpWorld) resolve(t *testing.T, link string) *oid4vp.AuthorizationRequest {
	t.Helper()
	l, err := oid4vp.ParseAuthorizationURL(link)
	if err != nil {
		t.Fatal(err)
	}
	st, jwt := w.do(t, http.MethodPost, l.RequestURI, "application/x-www-form-urlencoded", []byte("wallet_nonce=wn-1"))
	if st != http.StatusOK {
		t.Fatalf("request_uri: %d %s", st, jwt)
	}
	ar, err := oid4vp.ValidateRequestObject(string(jwt), oid4vp.ValidateOptions{Trust: w.trust, ClientID: l.ClientID, WalletNonce: "wn-1", AllowHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return ar
}

// walletCredential is what the wallet's DCQL evaluation sees of a stored credential: every
// claim it could disclose.
func walletCredential(t *testing.T, h *credentialtest.Holder) oid4vp.Credential {
	t.Helper()
	tok, err := sdjwt.Parse(h.Credential)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{}
	for _, d := range tok.Disclosures {
		if d.Name != "" {
			claims[d.Name] = d.Value
		}
	}
	parts := strings.SplitN(h.Credential, ".", 3)
	var payload map[string]any
	if err := json.Unmarshal(mustB64(t, parts[1]), &payload); err != nil {
		t.Fatal(err)
	}
	return oid4vp.Credential{Format: oid4vp.FormatSDJWT, VCT: payload["vct"].(string), Claims: claims, HolderBound: true}
}

// answer is a wallet's response: the holder presents claims for query id with a KB-JWT to
// aud and nonce, then posts it the way the request asks.
type answer struct {
	vpToken oid4vp.VPToken
	state   string
	to      oid4vp.JWK
}

func (w *vpWorld) post(t *testing.T, ar *oid4vp.AuthorizationRequest, a answer) (int, []byte) {
	t.Helper()
	r := &oid4vp.Response{VPToken: a.vpToken, State: a.state}
	var form url.Values
	var err error
	if ar.ResponseMode == oid4vp.ModeDirectPostJWT {
		form, err = r.EncryptedForm(a.to, ar.Enc)
	} else {
		form, err = r.Form()
	}
	if err != nil {
		t.Fatal(err)
	}
	return w.do(t, http.MethodPost, ar.ResponseURI, "application/x-www-form-urlencoded", []byte(form.Encode()))
}

func (w *vpWorld) outcome(t *testing.T, id string) (int, Outcome) {
	t.Helper()
	st, raw := w.do(t, http.MethodGet, "/v1/presentation-requests/"+id, "", nil)
	var o Outcome
	_ = json.Unmarshal(raw, &o)
	return st, o
}

const licenceQuery = `{"dcql_query":{"credentials":[{"id":"licence","format":"dc+sd-jwt","meta":{"vct_values":["urn:idgate:vct:mdl:1"]},
	"claims":[{"path":["family_name"]},{"path":["age_over_18"],"values":[true]}]}]}}`

func TestOpenID4VPFlow(t *testing.T) {
	for _, mode := range []string{oid4vp.ModeDirectPostJWT, oid4vp.ModeDirectPost} {
		t.Run(mode, func(t *testing.T) {
			w := newVPWorld(t, mode)
			h := w.env.Issue(t, credentialtest.IssueOpts{})
			c := w.create(t, licenceQuery)
			if st, o := w.outcome(t, c.ID); st != http.StatusOK || o.Status != "pending" {
				t.Fatalf("before the answer: %d %+v", st, o)
			}
			ar := w.resolve(t, c.AuthorizationRequest)
			if ar.ClientID != "x509_san_dns:localhost" || ar.Leaf.Subject.CommonName != "rental desk" {
				t.Fatalf("client %s", ar.ClientID)
			}
			ev, err := ar.DCQLQuery.Evaluate([]oid4vp.Credential{walletCredential(t, h)})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range ev.Candidates["licence"][0].Selection.Paths() {
				names = append(names, p[0].Key)
			}
			pres := h.Present(t, append(names, "given_name"), ar.ClientID, ar.Nonce, time.Now())
			st, raw := w.post(t, ar, answer{vpToken: oid4vp.VPToken{"licence": {pres}}, state: ar.State, to: encKey(ar)})
			if st != http.StatusOK {
				t.Fatalf("response_uri: %d %s", st, raw)
			}
			st, o := w.outcome(t, c.ID)
			if st != http.StatusOK || o.Status != "verified" {
				t.Fatalf("outcome: %d %+v", st, o)
			}
			got := o.Credentials["licence"][0]
			if got.VCT != credential.VCTDrivingLicence || got.Claims["family_name"] == nil || got.Claims["age_over_18"] != true {
				t.Fatalf("claims %+v", got)
			}
			if _, leaked := got.Claims["given_name"]; leaked {
				t.Fatal("an over-disclosed claim reached the relying party")
			}
			if st, _ := w.outcome(t, c.ID); st != http.StatusGone {
				t.Fatalf("second read: %d", st)
			}
			// The same response again is a replay.
			st, raw = w.post(t, ar, answer{vpToken: oid4vp.VPToken{"licence": {pres}}, state: ar.State, to: encKey(ar)})
			if st != http.StatusConflict || checkWalletError(t, raw).Code != "nonce_replayed" {
				t.Fatalf("replay: %d %s", st, raw)
			}
		})
	}
}

// checkWalletError checks a wallet-facing error answer: an OpenID4VP §8.5 (or OAuth) error
// code, an error_description of the characters OAuth allows, and idgate's code beside them.
func checkWalletError(t *testing.T, raw []byte) WalletErrorBody {
	t.Helper()
	var b WalletErrorBody
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("error answer %s: %v", raw, err)
	}
	switch b.Error {
	case "invalid_request", "invalid_client", "access_denied", "vp_formats_not_supported", "invalid_request_uri_method",
		"invalid_transaction_data", "invalid_request_uri", "invalid_request_object", "server_error", "temporarily_unavailable":
	default:
		t.Fatalf("error %q is no OpenID4VP error code: %s", b.Error, raw)
	}
	if b.ErrorDescription == "" || strings.ContainsFunc(b.ErrorDescription, func(r rune) bool {
		return r < 0x20 || r > 0x7e || r == '"' || r == '\\'
	}) {
		t.Fatalf("error_description %q", b.ErrorDescription)
	}
	if b.Code == "" || b.Message == "" {
		t.Fatalf("no code and message: %s", raw)
	}
	return b
}

func encKey(ar *oid4vp.AuthorizationRequest) oid4vp.JWK {
	if ar.EncryptTo == nil {
		return oid4vp.JWK{}
	}
	return *ar.EncryptTo
}

// Each attack is a well-formed response differing from a valid one in one property.
func TestOpenID4VPAttacks(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	licence := w.env.Issue(t, credentialtest.IssueOpts{})
	employee := w.env.Issue(t, credentialtest.IssueOpts{Type: credential.EmployeeID})
	otherKey, _ := oid4vp.NewEncryptionKey()
	valid := func(ar *oid4vp.AuthorizationRequest) answer {
		return answer{vpToken: oid4vp.VPToken{"licence": {licence.Present(t, []string{"family_name", "age_over_18"}, ar.ClientID, ar.Nonce, time.Now())}},
			state: ar.State, to: encKey(ar)}
	}
	tests := []struct {
		name    string
		query   string
		edit    func(ar *oid4vp.AuthorizationRequest, a *answer)
		status  int
		outcome string // the failure the relying party reads; "pending" when nothing settled
	}{
		{"valid", licenceQuery, func(*oid4vp.AuthorizationRequest, *answer) {}, 200, "verified"},
		{"presentation for another request's nonce", licenceQuery, func(ar *oid4vp.AuthorizationRequest, a *answer) {
			other := w.resolve(t, w.create(t, licenceQuery).AuthorizationRequest)
			a.vpToken["licence"][0] = licence.Present(t, []string{"family_name", "age_over_18"}, ar.ClientID, other.Nonce, time.Now())
		}, 422, sdjwt.CodeKBNonce},
		{"state mismatch", licenceQuery, func(ar *oid4vp.AuthorizationRequest, a *answer) { a.state = "other" }, 400, oid4vp.ReasonStateMismatch},
		{"KB-JWT aud without the prefix", licenceQuery, func(ar *oid4vp.AuthorizationRequest, a *answer) {
			a.vpToken["licence"][0] = licence.Present(t, []string{"family_name", "age_over_18"}, "localhost", ar.Nonce, time.Now())
		}, 422, sdjwt.CodeKBAud},
		{"claim missing", licenceQuery, func(ar *oid4vp.AuthorizationRequest, a *answer) {
			a.vpToken["licence"][0] = licence.Present(t, []string{"age_over_18"}, ar.ClientID, ar.Nonce, time.Now())
		}, 400, oid4vp.ReasonQueryNotSatisfied},
		{"wrong vct", strings.Replace(licenceQuery, `,{"path":["age_over_18"],"values":[true]}`, "", 1), func(ar *oid4vp.AuthorizationRequest, a *answer) {
			a.vpToken["licence"][0] = employee.Present(t, []string{"family_name"}, ar.ClientID, ar.Nonce, time.Now())
		}, 400, oid4vp.ReasonQueryNotSatisfied},
		{"value outside values", strings.Replace(licenceQuery, `"values":[true]`, `"values":[false]`, 1),
			func(*oid4vp.AuthorizationRequest, *answer) {}, 400, oid4vp.ReasonQueryNotSatisfied},
		{"extra unrequested credential", licenceQuery, func(ar *oid4vp.AuthorizationRequest, a *answer) {
			a.vpToken["licence"] = append(a.vpToken["licence"], a.vpToken["licence"][0])
		}, 400, oid4vp.ReasonTooManyPresentations},
		{"unknown query id", licenceQuery, func(ar *oid4vp.AuthorizationRequest, a *answer) {
			a.vpToken["other"] = a.vpToken["licence"]
		}, 400, oid4vp.ReasonUnknownQueryID},
		{"encrypted to another key", licenceQuery, func(ar *oid4vp.AuthorizationRequest, a *answer) {
			j := otherKey.PublicJWK()
			j.KID = a.to.KID
			a.to = j
		}, 400, "pending"},
		{"after expiry", licenceQuery, func(*oid4vp.AuthorizationRequest, *answer) { w.advance(6 * time.Minute) }, 410, "request_expired"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := w.create(t, tc.query)
			ar := w.resolve(t, c.AuthorizationRequest)
			a := valid(ar)
			tc.edit(ar, &a)
			st, raw := w.post(t, ar, a)
			if st != tc.status {
				t.Fatalf("response_uri: %d %s, want %d", st, raw, tc.status)
			}
			if st != http.StatusOK {
				checkWalletError(t, raw)
			}
			_, o := w.outcome(t, c.ID)
			got := o.Error
			if o.Status == "verified" || o.Status == "pending" {
				got = o.Status
			}
			if got != tc.outcome {
				t.Fatalf("outcome %+v, want %s", o, tc.outcome)
			}
		})
	}
}

func TestOpenID4VPCreate(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	for body, want := range map[string]int{
		`{"dcql_query":{"credentials":[]}}`:                                                                           400,
		`{"dcql_query":{"credentials":[{"id":"m","format":"ldp_vc","meta":{}}]}}`:                                     400,
		`{"dcql_query":{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]}}]},"claims":["a"]}`: 400,
	} {
		if st, raw := w.do(t, http.MethodPost, "/v1/presentation-requests", "application/json", []byte(body)); st != want {
			t.Errorf("%s: %d %s", body, st, raw)
		}
	}
	// Today's {vct, claims} still answers the direct-posting request, and links an OpenID4VP
	// transaction with the same id.
	st, raw := w.do(t, http.MethodPost, "/v1/presentation-requests", "application/json", []byte(`{"vct":"urn:idgate:vct:mdl:1","claims":["family_name"]}`))
	var both struct {
		PresentationRequest
		AuthorizationRequest string `json:"authorization_request"`
	}
	if st != http.StatusCreated || json.Unmarshal(raw, &both) != nil || both.Nonce == "" || !strings.HasPrefix(both.AuthorizationRequest, "openid4vp://") {
		t.Fatalf("%d %s", st, raw)
	}
	ar := w.resolve(t, both.AuthorizationRequest)
	if ar.DCQLQuery.Credentials[0].Claims[0].Path.String() != `["family_name"]` {
		t.Fatalf("query %+v", ar.DCQLQuery)
	}
	for _, kind := range []string{"qr.png", "qr.svg"} {
		st, img := w.do(t, http.MethodGet, "/v1/presentation-requests/"+both.ID+"/"+kind, "", nil)
		if st != http.StatusOK || len(img) < 100 {
			t.Fatalf("%s: %d", kind, st)
		}
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRenderWallet(t *testing.T) {
	for _, tc := range []struct {
		err          error
		status       int
		error, code  string
		descContains string
	}{
		{oid4vp.Reason(oid4vp.InvalidRequest, oid4vp.ReasonStateMismatch), 400, "invalid_request", "invalid_request", oid4vp.ReasonStateMismatch},
		{&oid4vp.Error{Code: oid4vp.VPFormatsNotSupported, Detail: `"quoted" \ detail`}, 400, "vp_formats_not_supported", "vp_formats_not_supported", "'quoted' / detail"},
		{ErrRequestUsed, 409, "invalid_request", "nonce_replayed", "nonce_replayed: "},
		{ErrRequestExpired, 410, "invalid_request", "request_expired", "request_expired"},
		{&Error{Code: "rate_limited", Msg: "later"}, 429, "temporarily_unavailable", "rate_limited", "rate_limited"},
		{&Error{Code: "body_too_large", Msg: "big"}, 413, "invalid_request", "body_too_large", "body_too_large"},
		{io.ErrUnexpectedEOF, 500, "server_error", "internal", "internal"},
	} {
		st, b := RenderWallet(tc.err)
		if st != tc.status || b.Error != tc.error || b.Code != tc.code || !strings.Contains(b.ErrorDescription, tc.descContains) {
			t.Errorf("%v: %d %+v", tc.err, st, b)
		}
		if strings.ContainsAny(b.ErrorDescription, "\"\\") {
			t.Errorf("%v: error_description %q", tc.err, b.ErrorDescription)
		}
	}
	if got := oauthText("a\"b\\c\x01é" + strings.Repeat("x", 600)); !strings.HasPrefix(got, "a'b/c???x") || len(got) != 512 {
		t.Errorf("oauthText %q", got)
	}
}
