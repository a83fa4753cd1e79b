package verifier

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/sdjwt"
)

const rpReturn = "https://rental.example/return?desk=3"

// sameDevice opens a same-device transaction and resolves it.
func (w *vpWorld) sameDevice(t *testing.T) (Created, *oid4vp.AuthorizationRequest) {
	t.Helper()
	body := strings.Replace(licenceQuery, `{"dcql_query"`, `{"redirect_uri":"`+rpReturn+`","dcql_query"`, 1)
	c := w.create(t, body)
	return c, w.resolve(t, c.AuthorizationRequest)
}

// redirectOf reads the response_uri's 200 answer: the return URL and its response_code.
func redirectOf(t *testing.T, st int, raw []byte) (string, string) {
	t.Helper()
	var r struct {
		RedirectURI string `json:"redirect_uri"`
	}
	if st != http.StatusOK || json.Unmarshal(raw, &r) != nil {
		t.Fatalf("response_uri: %d %s", st, raw)
	}
	base, frag, _ := strings.Cut(r.RedirectURI, "#")
	code, ok := strings.CutPrefix(frag, "response_code=")
	if base != rpReturn || !ok || len(code) < 22 { // 22 base64url characters: 128 bits
		t.Fatalf("redirect_uri %q", r.RedirectURI)
	}
	return r.RedirectURI, code
}

func (w *vpWorld) outcomeWith(t *testing.T, id, code string) (int, []byte) {
	t.Helper()
	q := ""
	if code != "" {
		q = "?response_code=" + url.QueryEscape(code)
	}
	return w.do(t, http.MethodGet, "/v1/presentation-requests/"+id+q, "", nil)
}

// Same-device (OpenID4VP §13.3, HAIP §5.1): the wallet is sent back to the relying party with
// a fresh response_code, and the outcome is read only with it; another session (no code, a
// wrong one, another transaction's) is refused and the outcome stays for the right one.
func TestOpenID4VPSameDevice(t *testing.T) {
	for _, mode := range []string{oid4vp.ModeDirectPostJWT, oid4vp.ModeDirectPost} {
		t.Run(mode, func(t *testing.T) {
			w := newVPWorld(t, mode)
			h := w.env.Issue(t, credentialtest.IssueOpts{})
			present := func(ar *oid4vp.AuthorizationRequest) answer {
				return answer{vpToken: oid4vp.VPToken{"licence": {h.Present(t, []string{"family_name", "age_over_18"}, ar.ClientID, ar.Nonce, time.Now())}},
					state: ar.State, to: encKey(ar)}
			}
			c, ar := w.sameDevice(t)
			if st, raw := w.outcomeWith(t, c.ID, ""); st != http.StatusOK || !strings.Contains(string(raw), `"pending"`) {
				t.Fatalf("pending: %d %s", st, raw)
			}
			st, raw := w.post(t, ar, present(ar))
			_, code := redirectOf(t, st, raw)

			other, otherAR := w.sameDevice(t)
			st, raw = w.post(t, otherAR, present(otherAR))
			_, otherCode := redirectOf(t, st, raw)
			if otherCode == code {
				t.Fatal("two transactions got the same response_code")
			}
			for name, try := range map[string]string{"no response_code": "", "wrong response_code": code[:len(code)-1] + "x",
				"another transaction's response_code": otherCode} {
				st, raw := w.outcomeWith(t, c.ID, try)
				var b ErrorBody
				if st != http.StatusForbidden || json.Unmarshal(raw, &b) != nil || b.Code != "invalid_response_code" {
					t.Fatalf("%s: %d %s", name, st, raw)
				}
			}
			st, raw = w.outcomeWith(t, c.ID, code)
			var o Outcome
			if st != http.StatusOK || json.Unmarshal(raw, &o) != nil || o.Status != "verified" || o.Credentials["licence"][0].Claims["age_over_18"] != true {
				t.Fatalf("read with the response_code: %d %s", st, raw)
			}
			if st, raw := w.outcomeWith(t, c.ID, code); st != http.StatusGone {
				t.Fatalf("replayed read: %d %s", st, raw)
			}
			if st, raw := w.outcomeWith(t, other.ID, otherCode); st != http.StatusOK || !strings.Contains(string(raw), `"verified"`) {
				t.Fatalf("other transaction: %d %s", st, raw)
			}
			// A replayed response gets no fresh response_code.
			if st, raw := w.post(t, ar, present(ar)); st != http.StatusConflict || strings.Contains(string(raw), "response_code") {
				t.Fatalf("replayed response: %d %s", st, raw)
			}
		})
	}
}

// A wallet's refusal also sends the user back, and the failure is read with the code; a
// presentation that fails verification is answered with its error (no redirect), and the
// relying party reads that failure without a code.
func TestOpenID4VPSameDeviceFailures(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	h := w.env.Issue(t, credentialtest.IssueOpts{})

	c, ar := w.sameDevice(t)
	form, err := (&oid4vp.Response{Error: "access_denied", State: ar.State}).EncryptedForm(encKey(ar), ar.Enc)
	if err != nil {
		t.Fatal(err)
	}
	st, raw := w.do(t, http.MethodPost, ar.ResponseURI, "application/x-www-form-urlencoded", []byte(form.Encode()))
	_, code := redirectOf(t, st, raw)
	if st, _ := w.outcomeWith(t, c.ID, ""); st != http.StatusForbidden {
		t.Fatalf("wallet refusal read without the code: %d", st)
	}
	if st, raw := w.outcomeWith(t, c.ID, code); st != http.StatusOK || !strings.Contains(string(raw), `"failed"`) {
		t.Fatalf("wallet refusal: %d %s", st, raw)
	}

	c, ar = w.sameDevice(t)
	bad := answer{vpToken: oid4vp.VPToken{"licence": {h.Present(t, []string{"family_name", "age_over_18"}, ar.ClientID, "another nonce", time.Now())}},
		state: ar.State, to: encKey(ar)}
	st, raw = w.post(t, ar, bad)
	if st != http.StatusUnprocessableEntity || strings.Contains(string(raw), "redirect_uri") {
		t.Fatalf("failed presentation: %d %s", st, raw)
	}
	checkWalletError(t, raw)
	var o Outcome
	if st, raw := w.outcomeWith(t, c.ID, ""); st != http.StatusOK || json.Unmarshal(raw, &o) != nil || o.Error != sdjwt.CodeKBNonce {
		t.Fatalf("failure: %d %s", st, raw)
	}
}

func TestOpenID4VPSameDeviceCreate(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	for _, uri := range []string{"http://rental.example/return", "https://rental.example/return#x", "/return", "javascript:alert(1)",
		"https://user@rental.example/", "https://rental.example/" + strings.Repeat("a", 2100), "rental.example/return"} {
		b, _ := json.Marshal(map[string]any{"redirect_uri": uri, "dcql_query": json.RawMessage(licenceQuery[len(`{"dcql_query":`) : len(licenceQuery)-1])})
		if st, raw := w.do(t, http.MethodPost, "/v1/presentation-requests", "application/json", b); st != http.StatusBadRequest {
			t.Errorf("%q: %d %s", uri, st, raw)
		}
		b, _ = json.Marshal(map[string]any{"redirect_uri": uri, "claims": []string{"family_name"}})
		if st, raw := w.do(t, http.MethodPost, "/v1/presentation-requests", "application/json", b); st != http.StatusBadRequest {
			t.Errorf("claims, %q: %d %s", uri, st, raw)
		}
	}
	for _, uri := range []string{"http://localhost:8080/return", "http://127.0.0.1/r", "https://rental.example/return?x=1"} {
		b, _ := json.Marshal(map[string]any{"redirect_uri": uri, "claims": []string{"family_name"}})
		if st, raw := w.do(t, http.MethodPost, "/v1/presentation-requests", "application/json", b); st != http.StatusCreated {
			t.Errorf("%q: %d %s", uri, st, raw)
		}
	}
}

// error_description carries text derived from untrusted input (details of a refused
// response): whatever the text, the answer keeps to OAuth's characters and 512 bytes.
func FuzzRenderWalletDescription(f *testing.F) {
	f.Add(`state "x" \ mismatch`)
	f.Add("\x00\xff\u00e9")
	f.Fuzz(func(t *testing.T, detail string) {
		for _, err := range []error{&oid4vp.Error{Code: oid4vp.InvalidRequest, Detail: detail}, &Error{Code: "invalid_request", Msg: detail}} {
			_, b := RenderWallet(err)
			if len(b.ErrorDescription) > 512 || strings.ContainsFunc(b.ErrorDescription, func(r rune) bool {
				return r < 0x20 || r > 0x7e || r == '"' || r == '\\'
			}) {
				t.Fatalf("error_description %q", b.ErrorDescription)
			}
		}
	})
}
