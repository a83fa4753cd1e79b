package issuerhttp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"github.com/idgate/idgate/issuer"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/memory"
)

// fixture is an issuer on a real loopback HTTP server with an in-process test CA.
type fixture struct {
	t      testing.TB
	svc    *issuer.Service
	srv    *httptest.Server
	url    string
	store  storage.Storage
	ca     *certstest.CA
	trust  *certs.TrustList
	token  string // operator token
	now    time.Time
	mutNow func(time.Duration)
}

func newFixture(t testing.TB, mod func(*issuer.Config)) *fixture {
	t.Helper()
	return newFixtureHTTP(t, mod, Config{})
}

// newFixtureHTTP is newFixture with the HTTP API configured by hc.
func newFixtureHTTP(t testing.TB, mod func(*issuer.Config), hc Config) *fixture {
	t.Helper()
	f := &fixture{t: t, now: time.Now().Truncate(time.Second)}
	f.mutNow = func(d time.Duration) { f.now = f.now.Add(d) }
	f.srv = httptest.NewUnstartedServer(nil)
	f.url = "http://" + f.srv.Listener.Addr().String()
	f.ca = certstest.NewCA(t)
	emp := f.ca.Issue(t, "idgate Employee ID Issuer", certstest.WithURI(f.url))
	mdl := f.ca.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(f.url))
	st := f.ca.Issue(t, "idgate Status List Signer", certstest.WithURI(f.url))
	f.trust = certs.NewTrustList(
		f.ca.Anchor(certs.PurposeCredential, credential.VCTEmployeeID, "idgate Employee ID Issuer"),
		f.ca.Anchor(certs.PurposeCredential, credential.VCTDrivingLicence, "idgate Driving Licence Issuer"),
		f.ca.Anchor(certs.PurposeStatusList, "*"),
	)
	f.store = memory.New()
	cfg := issuer.Config{
		Store: f.store, PublicURL: f.url,
		Signers:      map[credential.Type]certs.Signer{credential.EmployeeID: emp, credential.DrivingLicence: mdl},
		StatusSigner: st,
		Now:          func() time.Time { return f.now },
	}
	if mod != nil {
		mod(&cfg)
	}
	svc, err := issuer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	f.srv.Config.Handler = Handler(svc, hc)
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	tok, err := svc.NewOperatorToken(context.Background(), "test-operator")
	if err != nil {
		t.Fatal(err)
	}
	f.token = tok
	return f
}

// call does one HTTP request and decodes the JSON answer.
func (f *fixture) call(method, path, bearer, contentType, body string) (int, map[string]any) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			f.t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	} else {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out
}

func (f *fixture) operator(method, path, body string) (int, map[string]any) {
	return f.call(method, path, f.token, "application/json", body)
}

var mdlAttrs = `{
  "family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
  "issuing_country": "DE", "issuing_authority": "KBA", "document_number": "D1234567",
  "driving_privileges": [{"vehicle_category_code": "B", "issue_date": "2010-01-01", "expiry_date": "2030-01-01"}],
  "employee_number": "E-42", "organisation": "Ministry of Transport", "photo_ref": "https://photos.example/erika"
}`

// enrolAndOffer enrols a holder for both types and returns a pre-authorised code for t.
func (f *fixture) enrolAndOffer(t credential.Type) (holderID, code string) {
	f.t.Helper()
	st, h := f.operator("POST", "/v1/holders", `{"credential_types":["employee-id","mdl"],"attributes":`+mdlAttrs+`}`)
	if st != http.StatusCreated {
		f.t.Fatalf("enrol: %d %v", st, h)
	}
	holderID = h["id"].(string)
	st, o := f.operator("POST", "/v1/offers", `{"holder_id":"`+holderID+`","credential_type":"`+string(t)+`"}`)
	if st != http.StatusCreated {
		f.t.Fatalf("offer: %d %v", st, o)
	}
	u, err := url.Parse(o["offer_uri"].(string))
	if err != nil {
		f.t.Fatal(err)
	}
	var offer offerJSON
	if err := json.Unmarshal([]byte(u.Query().Get("credential_offer")), &offer); err != nil {
		f.t.Fatal(err)
	}
	if offer.CredentialIssuer != f.url || len(offer.ConfigurationIDs) != 1 || offer.ConfigurationIDs[0] != string(t) {
		f.t.Fatalf("offer: %+v", offer)
	}
	code = offer.Grants[preAuthGrant].(map[string]any)["pre-authorized_code"].(string)
	return holderID, code
}

func (f *fixture) redeem(code string) (int, map[string]any) {
	form := url.Values{"grant_type": {preAuthGrant}, "pre-authorized_code": {code}}
	return f.call("POST", "/token", "", "application/x-www-form-urlencoded", form.Encode())
}

// holder is a wallet's device key.
type holder struct {
	key *ecdsa.PrivateKey
	pub jwk.Key
}

func newHolder(t testing.TB) holder {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := jwk.FromRaw(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return holder{key: k, pub: pub}
}

// proof builds an OpenID4VCI proof JWT; mod may change header or claims before signing.
func (h holder) proof(t testing.TB, aud, nonce string, iat time.Time, mod func(hdr jws.Headers, claims map[string]any)) string {
	t.Helper()
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, issuer.ProofTyp)
	_ = hdr.Set(jws.JWKKey, h.pub)
	claims := map[string]any{"aud": aud, "iat": iat.Unix(), "nonce": nonce}
	if mod != nil {
		mod(hdr, claims)
	}
	payload, _ := json.Marshal(claims)
	out, err := jws.Sign(payload, jws.WithKey(jwa.ES256, h.key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func credentialBody(cfg, proof string) string {
	return `{"credential_configuration_id":"` + cfg + `","proofs":{"jwt":["` + proof + `"]}}`
}

func toJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// preAuthGrant is the OpenID4VCI pre-authorised code grant type.
const preAuthGrant = "urn:ietf:params:oauth:grant-type:pre-authorized_code"

// offerJSON is the OpenID4VCI credential offer object inside an offer URI.
type offerJSON struct {
	CredentialIssuer string         `json:"credential_issuer"`
	ConfigurationIDs []string       `json:"credential_configuration_ids"`
	Grants           map[string]any `json:"grants"`
}

// hashSecret is how the issuer's store keys a secret: its SHA-256.
func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// freshNonce is a fresh c_nonce of f's issuer.
func freshNonce(f *fixture) string {
	n, _ := f.svc.Nonce()
	return n
}
