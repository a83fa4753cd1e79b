package issuerhttp

import (
	"context"
	"crypto"
	"github.com/idgate/idgate/issuer"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/sdjwt"
	"github.com/idgate/idgate/statuslist"
)

// issueOne runs the whole wallet flow and returns the SD-JWT VC and the holder.
func (f *fixture) issueOne(t *testing.T, ct credential.Type) (string, holder) {
	t.Helper()
	_, code := f.enrolAndOffer(ct)
	st, tok := f.redeem(code)
	if st != http.StatusOK {
		t.Fatalf("token: %d %v", st, tok)
	}
	h := newHolder(t)
	p := h.proof(t, f.url, tok["c_nonce"].(string), f.now, nil)
	st, resp := f.call("POST", "/credential", tok["access_token"].(string), "application/json", credentialBody(string(ct), p))
	if st != http.StatusOK {
		t.Fatalf("credential: %d %v", st, resp)
	}
	return resp["credentials"].([]any)[0].(map[string]any)["credential"].(string), h
}

func (f *fixture) verifier(t *testing.T) *credential.Verifier {
	checker := statuslist.NewChecker(statuslist.CheckerConfig{
		HTTP: http.DefaultClient, Trust: f.trust, MaxTTL: time.Nanosecond,
	})
	v, err := credential.NewVerifier(credential.VerifierConfig{Trust: f.trust, Status: checker, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func present(t *testing.T, vc string, h holder, paths []string, aud, nonce string, iat time.Time) string {
	t.Helper()
	tok, err := sdjwt.Parse(vc)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := tok.Present(paths)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sdjwt.AddKeyBinding(sel.String(), crypto.Signer(h.key), jwa.ES256, aud, nonce, iat)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIssueVerifyRevoke(t *testing.T) {
	f := newFixture(t, nil)
	for _, ct := range []credential.Type{credential.EmployeeID, credential.DrivingLicence} {
		t.Run(string(ct), func(t *testing.T) {
			vc, h := f.issueOne(t, ct)
			v := f.verifier(t)
			want := map[credential.Type][]string{
				credential.EmployeeID:     {"/organisation"},
				credential.DrivingLicence: {"/age_over_19", "/photo_ref"},
			}[ct]
			pres := present(t, vc, h, want, "https://rp.example", "n-1", f.now)
			res, err := v.Verify(context.Background(), pres, credential.Expectation{Audience: "https://rp.example", Nonce: "n-1"})
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if len(res.Claims) != len(want) {
				t.Fatalf("disclosed %v, want only %v", res.Claims, want)
			}
			if ct == credential.DrivingLicence && res.Claims["age_over_19"] != true {
				t.Fatalf("age_over_19 = %v", res.Claims["age_over_19"])
			}
			// Revoke through the operator API; the next list token shows it.
			cs, err := f.store.ListCredentials(context.Background(), storage.CredentialFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var id string
			for _, c := range cs {
				if c.Status == statuslist.Valid && c.VCT == res.VCT {
					id = c.ID
				}
			}
			for _, step := range []struct {
				action string
				code   credential.Code
			}{{"suspend", credential.CodeSuspended}, {"reinstate", ""}, {"revoke", credential.CodeRevoked}} {
				st, body := f.operator("POST", "/v1/credentials/"+id+"/"+step.action, "")
				if st != http.StatusOK {
					t.Fatalf("%s: %d %v", step.action, st, body)
				}
				nonce := "n-" + step.action
				pres := present(t, vc, h, want, "https://rp.example", nonce, f.now)
				_, err := v.Verify(context.Background(), pres, credential.Expectation{Audience: "https://rp.example", Nonce: nonce})
				if got := credential.CodeOf(err); (step.code == "" && err != nil) || (step.code != "" && got != step.code) {
					t.Fatalf("after %s: err %v (code %s), want %q", step.action, err, got, step.code)
				}
			}
			if st, _ := f.operator("POST", "/v1/credentials/"+id+"/reinstate", ""); st != http.StatusConflict {
				t.Fatalf("reinstating a revoked credential: %d, want 409", st)
			}
		})
	}
}

func TestTokenSingleUseAndExpiry(t *testing.T) {
	f := newFixture(t, nil)
	_, code := f.enrolAndOffer(credential.EmployeeID)
	st, first := f.redeem(code)
	if st != http.StatusOK {
		t.Fatalf("first redeem: %d %v", st, first)
	}
	// Within the repeat window the same code gets the same token; after it, nothing.
	if st, body := f.redeem(code); st != http.StatusOK || body["access_token"] != first["access_token"] {
		t.Fatalf("repeated redeem: %d %v, want the first token", st, body)
	}
	f.mutNow(30 * time.Second)
	if st, body := f.redeem(code); st != http.StatusBadRequest || body["error"] != issuer.CodeInvalidGrant {
		t.Fatalf("redeem after the repeat window: %d %v", st, body)
	}
	_, code2 := f.enrolAndOffer(credential.EmployeeID)
	f.mutNow(11 * time.Minute)
	if st, body := f.redeem(code2); st != http.StatusBadRequest || body["error"] != issuer.CodeInvalidGrant {
		t.Fatalf("expired redeem: %d %v", st, body)
	}
	if st, body := f.redeem("not-a-code"); st != http.StatusBadRequest || body["error"] != issuer.CodeInvalidGrant {
		t.Fatalf("unknown code: %d %v", st, body)
	}
	form := "grant_type=authorization_code&code=x"
	if st, body := f.call("POST", "/token", "", "application/x-www-form-urlencoded", form); body["error"] != issuer.CodeUnsupportedGrant {
		t.Fatalf("wrong grant: %d %v", st, body)
	}
}

func TestCredentialProofChecks(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		name string
		mod  func(hdr jws.Headers, c map[string]any)
		aud  string
		want string
	}{
		{"wrong typ", func(h jws.Headers, _ map[string]any) { _ = h.Set(jws.TypeKey, "JWT") }, "", issuer.CodeInvalidProof},
		{"wrong aud", nil, "https://other.example", issuer.CodeInvalidProof},
		{"stale iat", func(_ jws.Headers, c map[string]any) { c["iat"] = time.Now().Add(-time.Hour).Unix() }, "", issuer.CodeInvalidProof},
		{"future iat", func(_ jws.Headers, c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() }, "", issuer.CodeInvalidProof},
		{"wrong nonce", func(_ jws.Headers, c map[string]any) { c["nonce"] = "guessed" }, "", issuer.CodeInvalidNonce},
		{"no nonce", func(_ jws.Headers, c map[string]any) { delete(c, "nonce") }, "", issuer.CodeInvalidNonce},
		{"kid instead of jwk", func(h jws.Headers, _ map[string]any) { _ = h.Set(jws.KeyIDKey, "k1") }, "", issuer.CodeInvalidProof},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, code := f.enrolAndOffer(credential.EmployeeID)
			_, tok := f.redeem(code)
			aud := f.url
			if tc.aud != "" {
				aud = tc.aud
			}
			p := newHolder(t).proof(t, aud, tok["c_nonce"].(string), f.now, tc.mod)
			st, body := f.call("POST", "/credential", tok["access_token"].(string), "application/json", credentialBody("employee-id", p))
			if st != http.StatusBadRequest || body["error"] != tc.want {
				t.Fatalf("got %d %v, want %s", st, body, tc.want)
			}
			if tc.want == issuer.CodeInvalidNonce && body["c_nonce"] == nil {
				t.Fatal("invalid_nonce answer must carry a fresh c_nonce")
			}
		})
	}
	t.Run("proof signed by another key", func(t *testing.T) {
		_, code := f.enrolAndOffer(credential.EmployeeID)
		_, tok := f.redeem(code)
		a, b := newHolder(t), newHolder(t)
		p := a.proof(t, f.url, tok["c_nonce"].(string), f.now, func(h jws.Headers, _ map[string]any) { _ = h.Set(jws.JWKKey, b.pub) })
		st, body := f.call("POST", "/credential", tok["access_token"].(string), "application/json", credentialBody("employee-id", p))
		if st != http.StatusBadRequest || body["error"] != issuer.CodeInvalidProof {
			t.Fatalf("got %d %v", st, body)
		}
	})
	t.Run("nonce endpoint nonce works once; token is single use", func(t *testing.T) {
		_, code := f.enrolAndOffer(credential.EmployeeID)
		_, tok := f.redeem(code)
		_, n := f.call("POST", "/nonce", "", "", "")
		h := newHolder(t)
		p := h.proof(t, f.url, n["c_nonce"].(string), f.now, nil)
		at := tok["access_token"].(string)
		if st, body := f.call("POST", "/credential", at, "application/json", credentialBody("employee-id", p)); st != http.StatusOK {
			t.Fatalf("got %d %v", st, body)
		}
		if st, body := f.call("POST", "/credential", at, "application/json", credentialBody("employee-id", p)); st != http.StatusBadRequest || body["error"] != issuer.CodeInvalidNonce {
			t.Fatalf("replayed proof: got %d %v", st, body)
		}
		_, n = f.call("POST", "/nonce", "", "", "")
		p = newHolder(t).proof(t, f.url, n["c_nonce"].(string), f.now, nil)
		if st, body := f.call("POST", "/credential", at, "application/json", credentialBody("employee-id", p)); st != http.StatusUnauthorized || body["error"] != issuer.CodeInvalidToken {
			t.Fatalf("reuse by another key: got %d %v", st, body)
		}
	})
	t.Run("wrong configuration for the token", func(t *testing.T) {
		_, code := f.enrolAndOffer(credential.EmployeeID)
		_, tok := f.redeem(code)
		p := newHolder(t).proof(t, f.url, tok["c_nonce"].(string), f.now, nil)
		st, body := f.call("POST", "/credential", tok["access_token"].(string), "application/json", credentialBody("mdl", p))
		if st != http.StatusBadRequest || body["error"] != issuer.CodeUnknownConfiguration {
			t.Fatalf("got %d %v", st, body)
		}
	})
	t.Run("no bearer", func(t *testing.T) {
		st, body := f.call("POST", "/credential", "", "application/json", credentialBody("mdl", "x.y.z"))
		if st != http.StatusUnauthorized || body["error"] != issuer.CodeInvalidToken {
			t.Fatalf("got %d %v", st, body)
		}
	})
}

func TestOperatorAPI(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name, bearer, body string
		want               int
	}{
		{"no token", "", `{}`, http.StatusUnauthorized},
		{"wrong token", strings.Repeat("x", 43), `{}`, http.StatusUnauthorized},
		{"malformed JSON", f.token, `{"credential_types":`, http.StatusBadRequest},
		{"unknown field", f.token, `{"credential_types":["mdl"],"attributes":{},"x":1}`, http.StatusBadRequest},
		{"missing required claim", f.token, `{"credential_types":["mdl"],"attributes":{"given_name":"A"}}`, http.StatusBadRequest},
		{"bad date", f.token, `{"credential_types":["employee-id"],"attributes":{"family_name":"A","given_name":"B","birth_date":"17/05/1990","employee_number":"1","organisation":"O"}}`, http.StatusBadRequest},
		{"unknown type", f.token, `{"credential_types":["passport"],"attributes":{}}`, http.StatusBadRequest},
		{"oversized body", f.token, `{"attributes":{"x":"` + strings.Repeat("a", MaxEnrolBytes) + `"}}`, http.StatusRequestEntityTooLarge},
		{"portrait without a face enroller", f.token, `{"credential_types":["mdl"],"attributes":` + mdlAttrs + `,"portrait":"/9j/4AAQ"}`, http.StatusServiceUnavailable},
		{"face_template supplied directly", f.token, `{"credential_types":["mdl"],"attributes":{"face_template":"x"}}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := f.call("POST", "/v1/holders", tc.bearer, "application/json", tc.body)
			if st != tc.want || body["code"] == nil {
				t.Fatalf("got %d %v, want %d with a code", st, body, tc.want)
			}
		})
	}
	if st, body := f.operator("POST", "/v1/offers", `{"holder_id":"`+strings.Repeat("a", MaxBodyBytes)+`"}`); st != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized offer body: %d %v", st, body)
	}
	if st, _ := f.operator("POST", "/v1/offers", `{"holder_id":"nope","credential_type":"mdl"}`); st != http.StatusNotFound {
		t.Fatalf("offer for unknown holder: %d", st)
	}
	if st, _ := f.operator("POST", "/v1/credentials/nope/revoke", ""); st != http.StatusNotFound {
		t.Fatalf("revoke unknown: %d", st)
	}
}

func TestStatusSlotsUniqueAndListRollover(t *testing.T) {
	f := newFixture(t, func(c *issuer.Config) { c.StatusListSize = 16 })
	seen := map[string]bool{}
	for i := 0; i < 40; i++ {
		vc, _ := f.issueOne(t, credential.EmployeeID)
		tok, err := sdjwt.Parse(vc)
		if err != nil {
			t.Fatal(err)
		}
		_ = tok
	}
	cs, err := f.store.ListCredentials(context.Background(), storage.CredentialFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		k := c.StatusListID + "/" + strconv.Itoa(c.StatusIndex)
		if seen[k] {
			t.Fatalf("slot %s used twice", k)
		}
		seen[k] = true
	}
	lists, _ := f.store.ListStatusLists(context.Background())
	if len(cs) != 40 || len(lists) < 3 {
		t.Fatalf("%d credentials over %d lists; want 40 over ≥ 3 lists of 16", len(cs), len(lists))
	}
}

func TestAuditHasNoClaimValues(t *testing.T) {
	f := newFixture(t, nil)
	f.issueOne(t, credential.DrivingLicence)
	st, body := f.operator("GET", "/v1/audit", "")
	if st != http.StatusOK {
		t.Fatalf("audit: %d", st)
	}
	events := body["events"].([]any)
	actions := map[string]bool{}
	for _, e := range events {
		actions[e.(map[string]any)["action"].(string)] = true
	}
	for _, a := range []string{"holder.enrol", "offer.create", "offer.redeem", "credential.issue"} {
		if !actions[a] {
			t.Errorf("audit lacks %s (has %v)", a, actions)
		}
	}
	for _, secret := range []string{"Mustermann", "Erika", "1990-05-17", "D1234567"} {
		for _, e := range events {
			if strings.Contains(toJSON(e), secret) {
				t.Fatalf("audit event leaks %q: %v", secret, e)
			}
		}
	}
}

// TestAuditQuery: the operator's audit reader takes only a non-negative sequence number.
func TestAuditQuery(t *testing.T) {
	f := newFixture(t, nil)
	f.issueOne(t, credential.EmployeeID)
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"", http.StatusOK}, {"?after=0", http.StatusOK}, {"?after=2", http.StatusOK},
		{"?after=-1", http.StatusBadRequest}, {"?after=x", http.StatusBadRequest},
		{"?after=99999999999999999999", http.StatusBadRequest},
	} {
		st, body := f.operator("GET", "/v1/audit"+tc.query, "")
		if st != tc.want {
			t.Errorf("%q: %d %v, want %d", tc.query, st, body, tc.want)
			continue
		}
		if st != http.StatusOK {
			continue
		}
		for _, e := range body["events"].([]any) {
			m := e.(map[string]any)
			if _, ok := m["seq"]; !ok || m["action"] == nil || m["Seq"] != nil {
				t.Errorf("%q: event %v: want lower-case member names", tc.query, m)
			}
		}
	}
}
