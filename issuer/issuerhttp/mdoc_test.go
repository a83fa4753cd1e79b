package issuerhttp

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/api"
	"github.com/idgate/idgate/api/apitest"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/internal/facephotos"
	"github.com/idgate/idgate/internal/pgtest"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/issuer/storage/postgres"
	"github.com/idgate/idgate/issuer/storage/sqlite"
	"github.com/idgate/idgate/mdoc"
)

// mdocFixture is an issuer that also offers the mDL as an mdoc: a Document Signer under an
// IACA of country UT, a portrait key, and a face enroller for one real JPEG portrait.
type mdocFixture struct {
	*fixture
	iaca     *x509.Certificate
	portrait []byte
}

func newMdocFixture(t *testing.T, store storage.Storage) *mdocFixture {
	t.Helper()
	photo, err := fs.ReadFile(facephotos.FS(), facephotos.Portrait)
	if err != nil {
		t.Fatal(err)
	}
	m := &mdocFixture{portrait: photo}
	f := newFixture(t, func(c *issuer.Config) {
		a := certs.MdocAuthority{Country: "UT", Organization: "idgate test", IssuerURL: c.PublicURL, Now: time.Now()}
		iacaKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if m.iaca, err = certs.NewIACA(a, iacaKey); err != nil {
			t.Fatal(err)
		}
		dsKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		ds, err := certs.NewDocumentSigner(a, m.iaca, iacaKey, &dsKey.PublicKey, "idgate test DS")
		if err != nil {
			t.Fatal(err)
		}
		if c.DocumentSigner, err = certs.NewSigner(dsKey, []*x509.Certificate{ds}); err != nil {
			t.Fatal(err)
		}
		c.PortraitKey = make([]byte, issuer.PortraitKeySize)
		rand.Read(c.PortraitKey)
		c.Faces = portraitEnroller{photo: photo}
		if store != nil {
			c.Store = store
		}
	})
	if store != nil {
		f.store = store
	}
	m.fixture = f
	return m
}

// mdlMdocAttrs are the driving licence attributes an mdoc needs (issuing_country: the DS's).
const mdlMdocAttrs = `{
  "family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
  "issuing_country": "UT", "issuing_authority": "Utopia DMV", "document_number": "D1234567",
  "issue_date": "2026-01-01", "expiry_date": "2036-01-01", "un_distinguishing_sign": "UTO",
  "sex": 2, "height": 172, "eye_colour": "blue", "issuing_jurisdiction": "UT-NO",
  "portrait_capture_date": "2025-12-01",
  "driving_privileges": [{"vehicle_category_code": "B", "issue_date": "2010-01-01", "expiry_date": "2030-01-01",
    "codes": [{"code": "78", "sign": "=", "value": "automatic"}]}]
}`

func (m *mdocFixture) enrol(t *testing.T, types, attrs string, portrait []byte) (int, map[string]any) {
	t.Helper()
	body := `{"credential_types":` + types + `,"attributes":` + attrs
	if portrait != nil {
		body += `,"portrait":"` + base64.StdEncoding.EncodeToString(portrait) + `"`
	}
	return m.operator("POST", "/v1/holders", body+"}")
}

// offer creates an mdoc offer for holderID and returns its pre-authorised code.
func (m *mdocFixture) offer(t *testing.T, holderID string) (int, string) {
	t.Helper()
	st, o := m.operator("POST", "/v1/offers", `{"holder_id":"`+holderID+`","credential_type":"`+string(issuer.MdocMDL)+`"}`)
	if st != http.StatusCreated {
		return st, toJSON(o)
	}
	u, err := url.Parse(o["offer_uri"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var offer offerJSON
	if err := json.Unmarshal([]byte(u.Query().Get("credential_offer")), &offer); err != nil {
		t.Fatal(err)
	}
	return st, offer.Grants[preAuthGrant].(map[string]any)["pre-authorized_code"].(string)
}

func (m *mdocFixture) fetch(t *testing.T, h holder, at, nonce string) (int, map[string]any) {
	t.Helper()
	return m.call("POST", "/credential", at, "application/json", credentialBody(string(issuer.MdocMDL), h.proof(t, m.url, nonce, m.now, nil)))
}

func TestMdocMetadata(t *testing.T) {
	m := newMdocFixture(t, nil)
	_, md := m.call("GET", "/.well-known/openid-credential-issuer", "", "", "")
	cfg, _ := md["credential_configurations_supported"].(map[string]any)[string(issuer.MdocMDL)].(map[string]any)
	want := `{"credential_metadata":{"display":[{"locale":"en","name":"Mobile Driving Licence (ISO mdoc)"}]},` +
		`"credential_signing_alg_values_supported":[-7],"cryptographic_binding_methods_supported":["cose_key"],` +
		`"doctype":"org.iso.18013.5.1.mDL","format":"mso_mdoc",` +
		`"proof_types_supported":{"jwt":{"proof_signing_alg_values_supported":["ES256"]}},"scope":"org.iso.18013.5.1.mDL"}`
	if got := toJSON(cfg); got != want {
		t.Fatalf("mso_mdoc configuration\n got %s\nwant %s", got, want)
	}
	// Without a Document Signer the mdoc is neither offered nor enrolled for.
	plain := newFixture(t, nil)
	_, md = plain.call("GET", "/.well-known/openid-credential-issuer", "", "", "")
	if _, ok := md["credential_configurations_supported"].(map[string]any)[string(issuer.MdocMDL)]; ok {
		t.Fatal("mdoc offered without a Document Signer")
	}
	st, out := plain.operator("POST", "/v1/holders", `{"credential_types":["`+string(issuer.MdocMDL)+`"],"attributes":`+mdlMdocAttrs+`}`)
	if st != http.StatusBadRequest || out["error"] != issuer.CodeUnknownConfiguration {
		t.Fatalf("enrol for an mdoc not issued here: %d %v", st, out)
	}
}

// What cannot become a valid mDL is refused at enrolment, 400 with the field named.
func TestMdocEnrolmentRefusals(t *testing.T) {
	m := newMdocFixture(t, nil)
	mdocOnly := `["` + string(issuer.MdocMDL) + `"]`
	with := func(k, v string) string {
		var a map[string]any
		if err := json.Unmarshal([]byte(mdlMdocAttrs), &a); err != nil {
			t.Fatal(err)
		}
		if v == "" {
			delete(a, k)
		} else {
			var val any
			if err := json.Unmarshal([]byte(v), &val); err != nil {
				t.Fatal(err)
			}
			a[k] = val
		}
		return toJSON(a)
	}
	png := []byte("\x89PNG\r\n\x1a\n pretend PNG")
	for _, c := range []struct {
		name, types, attrs string
		portrait           []byte
		field              string
	}{
		{"no portrait", mdocOnly, mdlMdocAttrs, nil, "portrait"},
		{"PNG portrait", mdocOnly, mdlMdocAttrs, png, "portrait"},
		{"oversized portrait", mdocOnly, mdlMdocAttrs, append([]byte{0xff, 0xd8, 0xff}, make([]byte, issuer.MaxMdocPortraitBytes)...), "portrait"},
		{"no issue_date", mdocOnly, with("issue_date", ""), m.portrait, "issue_date"},
		{"no expiry_date", mdocOnly, with("expiry_date", ""), m.portrait, "expiry_date"},
		{"no un_distinguishing_sign", mdocOnly, with("un_distinguishing_sign", ""), m.portrait, "un_distinguishing_sign"},
		{"country not the DS's", mdocOnly, with("issuing_country", `"DE"`), m.portrait, "issuing_country"},
		{"eye colour not in Table 5", mdocOnly, with("eye_colour", `"purple"`), m.portrait, "eye_colour"},
		{"jurisdiction of another country", mdocOnly, with("issuing_jurisdiction", `"DE-BY"`), m.portrait, "issuing_jurisdiction"},
		{"bad privilege date", mdocOnly, with("driving_privileges", `[{"vehicle_category_code":"B","issue_date":"2010-13-01"}]`), m.portrait, "driving_privileges"},
		{"no mDL element", mdocOnly, with("photo_ref", `"https://photos.example/erika"`), m.portrait, "photo_ref"},
		{"also refused beside the SD-JWT licence", `["mdl","` + string(issuer.MdocMDL) + `"]`, with("issue_date", ""), m.portrait, "issue_date"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, out := m.enrol(t, c.types, c.attrs, c.portrait)
			if st != http.StatusBadRequest || out["error"] != issuer.CodeInvalidRequest || !strings.Contains(out["message"].(string), c.field) {
				t.Fatalf("%d %v, want 400 naming %s", st, out, c.field)
			}
		})
	}
	if all, _ := m.store.ListHolders(context.Background(), 0, ""); len(all) != 0 {
		t.Fatalf("%d holders stored by refused enrolments", len(all))
	}
	// The SD-JWT licence alone takes what the mdoc refuses.
	if st, out := m.enrol(t, `["mdl"]`, with("issue_date", ""), nil); st != http.StatusCreated {
		t.Fatalf("SD-JWT licence: %d %v", st, out)
	}
}

// issuedMdoc decodes and checks the credential of a credential response.
func issuedMdoc(t *testing.T, body map[string]any) (*mdoc.Held, []byte) {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(vcOf(t, body))
	if err != nil {
		t.Fatal(err)
	}
	h, err := mdoc.CheckIssuerSigned(raw)
	if err != nil {
		t.Fatal(err)
	}
	return h, raw
}

func TestMdocIssuance(t *testing.T) {
	for _, backend := range []string{"memory", "sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var store storage.Storage
			switch backend {
			case "memory":
				store = memory.New()
			case "sqlite":
				st, err := sqlite.Open(filepath.Join(t.TempDir(), "issuer.db"))
				if err != nil {
					t.Fatal(err)
				}
				store = st
			case "postgres":
				st, err := postgres.Open(t.Context(), pgtest.FreshDSN(t, "issuer_mdoc_test"))
				if err != nil {
					t.Fatal(err)
				}
				store = st
			}
			t.Cleanup(func() { store.Close() })
			testMdocIssuance(t, newMdocFixture(t, store))
		})
	}
}

func testMdocIssuance(t *testing.T, m *mdocFixture) {
	ctx := context.Background()
	st, out := m.enrol(t, `["mdl","`+string(issuer.MdocMDL)+`"]`, mdlMdocAttrs, m.portrait)
	if st != http.StatusCreated || out["face_template"] != true {
		t.Fatalf("enrol: %d %v", st, out)
	}
	holderID := out["id"].(string)
	// Kept sealed: the stored bytes are not the JPEG and hold none of it.
	p, err := m.store.GetPortrait(ctx, holderID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Sealed, m.portrait[:64]) || bytes.Contains(p.Sealed, m.portrait[len(m.portrait)/2:len(m.portrait)/2+64]) {
		t.Fatal("the portrait is stored in the clear")
	}

	st, code := m.offer(t, holderID)
	if st != http.StatusCreated {
		t.Fatalf("offer: %d %s", st, code)
	}
	_, tok := m.redeem(code)
	at := tok["access_token"].(string)
	h := newHolder(t)
	st, body := m.fetch(t, h, at, tok["c_nonce"].(string))
	if st != http.StatusOK {
		t.Fatalf("credential: %d %v", st, body)
	}
	held, raw := issuedMdoc(t, body)
	if held.DocType != mdoc.DocTypeMDL || !held.DeviceKey.Equal(&h.key.PublicKey) {
		t.Fatalf("docType %q or device key", held.DocType)
	}
	vals := map[string]any{}
	for _, e := range held.Elements {
		vals[e.Namespace+"/"+e.Identifier] = e.Value
	}
	mdl := func(id string) any { return vals[mdoc.NamespaceMDL+"/"+id] }
	fullDate := func(s string) cbor.Tag { return cbor.Tag{Number: 1004, Content: s} }
	for id, want := range map[string]any{
		"family_name": "Mustermann", "given_name": "Erika", "issuing_country": "UT", "issuing_authority": "Utopia DMV",
		"document_number": "D1234567", "un_distinguishing_sign": "UTO", "eye_colour": "blue", "issuing_jurisdiction": "UT-NO",
		"birth_date": fullDate("1990-05-17"), "issue_date": fullDate("2026-01-01"), "expiry_date": fullDate("2036-01-01"),
		"sex": uint64(2), "height": uint64(172), "age_over_18": true, "age_over_65": false, "age_birth_year": uint64(1990),
		"portrait_capture_date": time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got := mdl(id); toJSON(got) != toJSON(want) {
			t.Errorf("%s = %#v, want %#v", id, got, want)
		}
	}
	if got, _ := mdl("portrait").([]byte); !bytes.Equal(got, m.portrait) {
		t.Errorf("portrait of %d bytes, want the enrolment JPEG", len(got))
	}
	if got, _ := mdl("age_in_years").(uint64); got < 35 {
		t.Errorf("age_in_years = %v", mdl("age_in_years"))
	}
	priv := fmt.Sprint(mdl("driving_privileges"))
	if !strings.Contains(priv, "vehicle_category_code:B") || !strings.Contains(priv, "code:78") || !strings.Contains(priv, "issue_date:{1004 2010-01-01}") {
		t.Errorf("driving_privileges = %s", priv)
	}
	if mdl("photo_ref") != nil || vals[mdoc.NamespaceIDGate+"/"+mdoc.ElementFaceTemplate] != "eyJhbGciOiJFQ0RILUVTK0EyNTZLVyJ9.k.iv.ct.tag" {
		t.Errorf("photo_ref %v, face_template %v", mdl("photo_ref"), vals[mdoc.NamespaceIDGate+"/"+mdoc.ElementFaceTemplate])
	}

	// Listed like the others, with the status slot the MSO points at.
	_, list := m.operator("GET", "/v1/credentials?holder_id="+holderID, "")
	creds := list["credentials"].([]any)
	if len(creds) != 1 {
		t.Fatalf("listed %v", list)
	}
	c := creds[0].(map[string]any)
	sl := held.MSO.Status.StatusList
	if c["vct"] != mdoc.DocTypeMDL || c["status"] != "valid" || int(c["status_idx"].(float64)) != int(sl.Idx) ||
		!strings.HasSuffix(sl.URI, "/status/"+c["status_list"].(string)) {
		t.Fatalf("listed %v, MSO status %+v", c, sl)
	}
	if !held.ValidUntil.Equal(held.Signed.Add(365*24*time.Hour)) || held.Signed.Unix() != m.now.Unix() {
		t.Fatalf("validity %v..%v", held.Signed, held.ValidUntil)
	}

	// A holder verifies it end to end under the IACA.
	stx := []byte{0x83, 0xf6, 0xf6, 0xf6}
	resp, err := mdoc.Present(raw, mdoc.Request{mdoc.NamespaceMDL: {"family_name", "age_over_18"}}, stx, h.key)
	if err != nil {
		t.Fatal(err)
	}
	v := &mdoc.Verifier{Trust: certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: mdoc.DocTypeMDL, Roots: []*x509.Certificate{m.iaca}}),
		Now: func() time.Time { return m.now.Add(time.Minute) }}
	if _, err := v.Verify(resp, mdoc.VerifyOptions{DocType: mdoc.DocTypeMDL, SessionTranscript: stx}); err != nil {
		t.Fatal(err)
	}

	// Re-delivery: same token and key, a fresh nonce: the same credential, freshly signed.
	m.mutNow(time.Minute)
	st, body = m.fetch(t, h, at, m.freshNonce(t))
	if st != http.StatusOK {
		t.Fatalf("re-delivery: %d %v", st, body)
	}
	again, _ := issuedMdoc(t, body)
	if again.MSO.Status.StatusList.Idx != sl.Idx || !again.Signed.Equal(held.Signed) || !again.ValidUntil.Equal(held.ValidUntil) || !again.DeviceKey.Equal(held.DeviceKey) {
		t.Fatal("re-delivery is another credential")
	}
	if st, body := m.fetch(t, newHolder(t), at, m.freshNonce(t)); st != http.StatusUnauthorized {
		t.Fatalf("re-delivery to another key: %d %v", st, body)
	}

	// The portrait is this licence's: no second licence from it, even within the window.
	if st, out := m.offer(t, holderID); st != http.StatusConflict || !strings.Contains(out, "enrol the holder again") {
		t.Fatalf("second mdoc offer: %d %s", st, out)
	}
	// Once the token cannot fetch it again, the sweep deletes it; the event names no content.
	if n, err := m.svc.DeleteExpiredPortraits(ctx); err != nil || n != 0 {
		t.Fatalf("swept %d, %v before the window closed", n, err)
	}
	m.mutNow(5*time.Minute + undeliveredGrace)
	if n, err := m.svc.DeleteExpiredPortraits(ctx); err != nil || n != 1 {
		t.Fatalf("swept %d, %v", n, err)
	}
	if _, err := m.store.GetPortrait(ctx, holderID); err == nil {
		t.Fatal("portrait kept after issuance")
	}
	events, err := m.store.ListAudit(ctx, 0, storage.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
		if e.Action == "holder.portrait.delete" && e.Details["reason"] != "issued" {
			t.Fatalf("delete event %+v", e)
		}
		if strings.Contains(toJSON(e), base64.StdEncoding.EncodeToString(m.portrait[:48])) {
			t.Fatalf("audit event %s carries the portrait", e.Action)
		}
	}
	for _, want := range []string{"holder.enrol", "offer.create", "credential.issue", "holder.portrait.issue", "credential.redeliver", "holder.portrait.delete"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Fatalf("audit %v lacks %s", actions, want)
		}
	}

	// Revocation goes through the same status list API.
	if st, out := m.operator("POST", "/v1/credentials/"+c["id"].(string)+"/revoke", ""); st != http.StatusOK || out["status"] != "revoked" {
		t.Fatalf("revoke: %d %v", st, out)
	}
}

// A portrait whose offer expired unused is deleted by the sweep; an offer after that asks for
// a new enrolment; so does one for a holder enrolled without the mdoc.
func TestMdocPortraitDeletedWhenOfferExpires(t *testing.T) {
	m := newMdocFixture(t, nil)
	ctx := context.Background()
	_, out := m.enrol(t, `["`+string(issuer.MdocMDL)+`"]`, mdlMdocAttrs, m.portrait)
	holderID := out["id"].(string)
	if st, _ := m.offer(t, holderID); st != http.StatusCreated {
		t.Fatalf("offer: %d", st)
	}
	m.mutNow(10*time.Minute + 5*time.Minute) // offer and any token from it expired...
	if n, _ := m.svc.DeleteExpiredPortraits(ctx); n != 0 {
		t.Fatal("deleted within the grace for a fetch in flight")
	}
	m.mutNow(undeliveredGrace + time.Second)
	if n, err := m.svc.DeleteExpiredPortraits(ctx); err != nil || n != 1 {
		t.Fatalf("swept %d, %v", n, err)
	}
	if st, out := m.offer(t, holderID); st != http.StatusConflict || !strings.Contains(out, "enrol the holder again") {
		t.Fatalf("offer after deletion: %d %s", st, out)
	}
	events, _ := m.store.ListAudit(ctx, 0, storage.MaxLimit)
	if last := events[len(events)-1]; last.Action != "holder.portrait.delete" || last.Details["reason"] != "expired" || last.Subject != holderID {
		t.Fatalf("last event %+v", last)
	}

	// Enrolled without the mdoc: no portrait kept, no mdoc offer.
	_, out = m.enrol(t, `["mdl"]`, mdlMdocAttrs, m.portrait)
	if _, err := m.store.GetPortrait(ctx, out["id"].(string)); err == nil {
		t.Fatal("portrait kept for an SD-JWT-only holder")
	}
	if st, _ := m.offer(t, out["id"].(string)); st != http.StatusConflict {
		t.Fatalf("mdoc offer without a kept portrait: %d", st)
	}
	// A P-384 proof key cannot be an mdoc device key.
	_, out = m.enrol(t, `["`+string(issuer.MdocMDL)+`"]`, mdlMdocAttrs, m.portrait)
	_, code := m.offer(t, out["id"].(string))
	_, tok := m.redeem(code)
	k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	pub, _ := jwk.FromRaw(&k.PublicKey)
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, issuer.ProofTyp)
	_ = hdr.Set(jws.JWKKey, pub)
	payload, _ := json.Marshal(map[string]any{"aud": m.url, "iat": m.now.Unix(), "nonce": tok["c_nonce"]})
	proof, err := jws.Sign(payload, jws.WithKey(jwa.ES384, k, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	if st, body := m.call("POST", "/credential", tok["access_token"].(string), "application/json",
		credentialBody(string(issuer.MdocMDL), string(proof))); st != http.StatusBadRequest || body["error"] != issuer.CodeInvalidProof {
		t.Fatalf("P-384 device key: %d %v", st, body)
	}
}

// TestMdocOpenAPI: the mdoc's metadata, enrolment, offer and credential answer match
// api/issuer.yaml.
func TestMdocOpenAPI(t *testing.T) {
	m := newMdocFixture(t, nil)
	c := apitest.NewClient(t, apitest.Load(t, api.Issuer), m.url)
	c.Tokens["operatorToken"] = m.token
	do := func(method, path, ct string, body []byte) apitest.Response {
		t.Helper()
		return c.Do(apitest.Request{Method: method, Path: path, ContentType: ct, Body: body})
	}
	if r := do("GET", "/.well-known/openid-credential-issuer", "", nil); r.Status != 200 {
		t.Fatalf("metadata: %s", r)
	}
	r := do("POST", "/v1/holders", "application/json", jsonBody(map[string]any{
		"credential_types": []string{string(issuer.MdocMDL)}, "attributes": json.RawMessage(mdlMdocAttrs), "portrait": m.portrait}))
	if r.Status != 201 {
		t.Fatalf("enrol: %s", r)
	}
	holderID := r.JSON()["id"].(string)
	r = do("POST", "/v1/offers", "application/json", jsonBody(map[string]string{"holder_id": holderID, "credential_type": string(issuer.MdocMDL)}))
	if r.Status != 201 {
		t.Fatalf("offer: %s", r)
	}
	form := url.Values{"grant_type": {preAuthGrant}, "pre-authorized_code": {offerCode(t, r.JSON()["offer_uri"].(string))}}
	r = do("POST", "/token", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if r.Status != 200 {
		t.Fatalf("token: %s", r)
	}
	c.Tokens["accessToken"] = r.JSON()["access_token"].(string)
	h := newHolder(t)
	r = do("POST", "/credential", "application/json", []byte(credentialBody(string(issuer.MdocMDL), h.proof(t, m.url, r.JSON()["c_nonce"].(string), m.now, nil))))
	if r.Status != 200 {
		t.Fatalf("credential: %s", r)
	}
	if r := do("POST", "/v1/offers", "application/json", jsonBody(map[string]string{"holder_id": holderID, "credential_type": string(issuer.MdocMDL)})); r.Status != 409 {
		t.Fatalf("second offer: %s", r)
	}
	if r := do("GET", "/v1/credentials?holder_id="+holderID, "", nil); r.Status != 200 {
		t.Fatalf("list: %s", r)
	}
}

// undeliveredGrace is issuer.Config.UndeliveredGrace's default, which the fixture keeps.
const undeliveredGrace = time.Minute
