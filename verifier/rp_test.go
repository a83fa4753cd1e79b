package verifier

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/cert"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/sdjwt"
)

// rpServer runs the relying-party API on a real fasthttp server on 127.0.0.1.
type rpServer struct {
	env *credentialtest.Env
	url string
}

func newRPServer(t *testing.T) *rpServer {
	t.Helper()
	env := credentialtest.New(t)
	rp, err := NewRP(RPConfig{Credentials: env.Verifier(t), Requests: NewMemoryRequests(1000), Audience: "https://rental.example"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer((&API{RP: rp, OpenRP: true}).Handler)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return &rpServer{env: env, url: "http://" + l.Addr().String()}
}

func (s *rpServer) post(t *testing.T, path string, body []byte) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(s.url+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("POST %s: %d non-JSON answer %q", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func (s *rpServer) request(t *testing.T, claims ...string) PresentationRequest {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"claims": claims})
	st, out := s.post(t, "/v1/presentation-requests", body)
	if st != http.StatusCreated {
		t.Fatalf("create request: %d %v", st, out)
	}
	raw, _ := json.Marshal(out)
	var r PresentationRequest
	_ = json.Unmarshal(raw, &r)
	return r
}

func (s *rpServer) verify(t *testing.T, id, presentation string) (int, map[string]any) {
	body, _ := json.Marshal(map[string]string{"presentation": presentation})
	return s.post(t, "/v1/presentation-requests/"+id+"/verify", body)
}

// --- helpers that forge presentations ---

func splitJWS(t *testing.T, compact string) (hdr, payload map[string]any) {
	parts := strings.Split(compact, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", compact)
	}
	for i, dst := range []*map[string]any{&hdr, &payload} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	return hdr, payload
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// replaceJWT swaps the issuer-signed JWT of an SD-JWT (disclosures and KB kept).
func replaceJWT(sd, jwt string) string {
	i := strings.IndexByte(sd, '~')
	return jwt + sd[i:]
}

// rebind recomputes the KB-JWT for a modified SD-JWT so that only the intended defect remains.
// It signs by hand because sdjwt.AddKeyBinding refuses to bind malformed presentations.
func rebind(t *testing.T, h *credentialtest.Holder, presentation string, req PresentationRequest) string {
	sd := presentation[:strings.LastIndexByte(presentation, '~')+1]
	digest := sha256.Sum256([]byte(sd))
	claims, _ := json.Marshal(map[string]any{
		"iat": time.Now().Unix(), "aud": req.Audience, "nonce": req.Nonce,
		"sd_hash": base64.RawURLEncoding.EncodeToString(digest[:]),
	})
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, "kb+jwt"); err != nil {
		t.Fatal(err)
	}
	kb, err := jws.Sign(claims, jws.WithKey(jwa.ES256, h.Key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return sd + string(kb)
}

func TestRPAcceptsAndDisclosesOnlyRequested(t *testing.T) {
	s := newRPServer(t)
	h := s.env.Issue(t, credentialtest.IssueOpts{})
	req := s.request(t, "age_over_19", "photo_ref")
	// The wallet over-discloses given_name; the verifier must not pass it on.
	pres := h.Present(t, []string{"age_over_19", "photo_ref", "given_name"}, req.Audience, req.Nonce, time.Now())
	st, out := s.verify(t, req.ID, pres)
	if st != http.StatusOK {
		t.Fatalf("verify: %d %v", st, out)
	}
	claims := out["claims"].(map[string]any)
	if len(claims) != 2 || claims["age_over_19"] != true || claims["photo_ref"] == nil {
		t.Fatalf("claims = %v", claims)
	}
	if out["vct"] != credential.VCTDrivingLicence || out["issuer"] != credentialtest.IssuerURL || out["status"] != "valid" {
		t.Fatalf("answer = %v", out)
	}
}

func TestRPRejectsAttacks(t *testing.T) {
	s := newRPServer(t)
	other := certstest.NewCA(t)
	claims := []string{"age_over_19", "photo_ref"}
	type attack struct {
		name  string
		build func(t *testing.T, req PresentationRequest) string
		code  string
	}
	valid := func(h *credentialtest.Holder, req PresentationRequest) string {
		return h.Present(t, claims, req.Audience, req.Nonce, time.Now())
	}
	attacks := []attack{
		{"alg none", func(t *testing.T, req PresentationRequest) string {
			h := s.env.Issue(t, credentialtest.IssueOpts{})
			p := valid(h, req)
			hdr, payload := splitJWS(t, p[:strings.IndexByte(p, '~')])
			hdr["alg"] = "none"
			return rebind(t, h, replaceJWT(p, b64json(hdr)+"."+b64json(payload)+"."), req)
		}, "alg_not_allowed"},
		{"HS256 keyed with the issuer's public key", func(t *testing.T, req PresentationRequest) string {
			h := s.env.Issue(t, credentialtest.IssueOpts{})
			p := valid(h, req)
			hdr, payload := splitJWS(t, p[:strings.IndexByte(p, '~')])
			hdr["alg"] = "HS256"
			pub, _ := x509.MarshalPKIXPublicKey(s.env.Licence.Public())
			input := b64json(hdr) + "." + b64json(payload)
			mac := hmac.New(sha256.New, pub)
			mac.Write([]byte(input))
			return rebind(t, h, replaceJWT(p, input+"."+base64.RawURLEncoding.EncodeToString(mac.Sum(nil))), req)
		}, "alg_not_allowed"},
		{"unknown root", func(t *testing.T, req PresentationRequest) string {
			rogue := other.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(credentialtest.IssuerURL))
			return valid(s.env.Issue(t, credentialtest.IssueOpts{Signer: rogue}), req)
		}, string(credential.CodeUntrustedIssuer)},
		{"expired issuer certificate", func(t *testing.T, req PresentationRequest) string {
			old := s.env.CA.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(credentialtest.IssuerURL), certstest.Expired())
			return valid(s.env.Issue(t, credentialtest.IssueOpts{Signer: old}), req)
		}, string(credential.CodeIssuerCertTime)},
		{"not-yet-valid issuer certificate", func(t *testing.T, req PresentationRequest) string {
			young := s.env.CA.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(credentialtest.IssuerURL), certstest.NotYetValid())
			return valid(s.env.Issue(t, credentialtest.IssueOpts{Signer: young}), req)
		}, string(credential.CodeIssuerCertTime)},
		{"employee-ID key signing a licence", func(t *testing.T, req PresentationRequest) string {
			return valid(s.env.Issue(t, credentialtest.IssueOpts{Signer: s.env.Employee}), req)
		}, string(credential.CodeUntrustedIssuer)},
		{"tampered disclosure", func(t *testing.T, req PresentationRequest) string {
			h := s.env.Issue(t, credentialtest.IssueOpts{})
			p := valid(h, req)
			parts := strings.Split(p, "~")
			d, err := sdjwt.ParseDisclosure(parts[1])
			if err != nil {
				t.Fatal(err)
			}
			forged, _ := json.Marshal([]any{d.Salt, d.Name, "forged"})
			if d.Name == "" {
				forged, _ = json.Marshal([]any{d.Salt, "forged"})
			}
			parts[1] = base64.RawURLEncoding.EncodeToString(forged)
			return rebind(t, h, strings.Join(parts, "~"), req)
		}, "disclosure_unreferenced"},
		{"disclosure the issuer never signed", func(t *testing.T, req PresentationRequest) string {
			h := s.env.Issue(t, credentialtest.IssueOpts{})
			p := valid(h, req)
			d, _ := sdjwt.NewDisclosure("age_over_65", true)
			i := strings.LastIndexByte(p, '~')
			return rebind(t, h, p[:i+1]+d.Encoded+"~", req)
		}, "disclosure_unreferenced"},
		{"same disclosure twice", func(t *testing.T, req PresentationRequest) string {
			h := s.env.Issue(t, credentialtest.IssueOpts{})
			p := valid(h, req)
			parts := strings.Split(p, "~")
			i := strings.LastIndexByte(p, '~')
			return rebind(t, h, p[:i+1]+parts[1]+"~", req)
		}, "disclosure_duplicate"},
		{"digest appearing twice", func(t *testing.T, req PresentationRequest) string {
			h := s.env.Issue(t, credentialtest.IssueOpts{})
			p := valid(h, req)
			hdr, payload := splitJWS(t, p[:strings.IndexByte(p, '~')])
			sd := payload["_sd"].([]any)
			payload["_sd"] = append(sd, sd[0])
			jwsHdr := jws.NewHeaders()
			var chain cert.Chain
			for _, c := range hdr["x5c"].([]any) {
				if err := chain.AddString(c.(string)); err != nil {
					t.Fatal(err)
				}
			}
			if err := jwsHdr.Set(jws.X509CertChainKey, &chain); err != nil {
				t.Fatal(err)
			}
			if err := jwsHdr.Set(jws.TypeKey, hdr["typ"]); err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(payload)
			signed, err := jws.Sign(raw, jws.WithKey(jwa.ES256, s.env.Licence, jws.WithProtectedHeaders(jwsHdr)))
			if err != nil {
				t.Fatal(err)
			}
			return rebind(t, h, replaceJWT(p, string(signed)), req)
		}, "digest_duplicate"},
		{"key binding missing", func(t *testing.T, req PresentationRequest) string {
			p := valid(s.env.Issue(t, credentialtest.IssueOpts{}), req)
			return p[:strings.LastIndexByte(p, '~')+1]
		}, "kb_missing"},
		{"key binding by another key", func(t *testing.T, req PresentationRequest) string {
			h := s.env.Issue(t, credentialtest.IssueOpts{})
			thief, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			h.Key = thief
			return valid(h, req)
		}, "kb_signature_invalid"},
		{"wrong audience", func(t *testing.T, req PresentationRequest) string {
			return s.env.Issue(t, credentialtest.IssueOpts{}).Present(t, claims, "https://other-rp.example", req.Nonce, time.Now())
		}, "kb_aud"},
		{"wrong nonce", func(t *testing.T, req PresentationRequest) string {
			return s.env.Issue(t, credentialtest.IssueOpts{}).Present(t, claims, req.Audience, "some-other-nonce", time.Now())
		}, "kb_nonce"},
		{"stale key-binding iat", func(t *testing.T, req PresentationRequest) string {
			return s.env.Issue(t, credentialtest.IssueOpts{}).Present(t, claims, req.Audience, req.Nonce, time.Now().Add(-time.Hour))
		}, "kb_iat"},
		{"wrong sd_hash", func(t *testing.T, req PresentationRequest) string {
			h := s.env.Issue(t, credentialtest.IssueOpts{})
			p := valid(h, req)
			// KB-JWT computed over a presentation with one more disclosure than is sent.
			full := h.Present(t, append(claims, "given_name"), req.Audience, req.Nonce, time.Now())
			return p[:strings.LastIndexByte(p, '~')+1] + full[strings.LastIndexByte(full, '~')+1:]
		}, "kb_sd_hash"},
		{"expired credential", func(t *testing.T, req PresentationRequest) string {
			return valid(s.env.Issue(t, credentialtest.IssueOpts{IAT: time.Now().Add(-48 * time.Hour), TTL: 24 * time.Hour}), req)
		}, string(credential.CodeExpired)},
		{"iss not named by the certificate", func(t *testing.T, req PresentationRequest) string {
			return valid(s.env.Issue(t, credentialtest.IssueOpts{Issuer: "https://evil.example"}), req)
		}, string(credential.CodeIssuerMismatch)},
		{"requested claim withheld", func(t *testing.T, req PresentationRequest) string {
			return s.env.Issue(t, credentialtest.IssueOpts{}).Present(t, claims[:1], req.Audience, req.Nonce, time.Now())
		}, string(credential.CodeNotDisclosed)},
		{"revoked", func(t *testing.T, req PresentationRequest) string {
			h := s.env.Issue(t, credentialtest.IssueOpts{})
			s.env.SetStatus(t, h.StatusIdx, 1)
			return valid(h, req)
		}, string(credential.CodeRevoked)},
		{"suspended", func(t *testing.T, req PresentationRequest) string {
			h := s.env.Issue(t, credentialtest.IssueOpts{})
			s.env.SetStatus(t, h.StatusIdx, 2)
			return valid(h, req)
		}, string(credential.CodeSuspended)},
		{"garbage", func(t *testing.T, req PresentationRequest) string { return "not~an~sd-jwt" }, "malformed"},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			req := s.request(t, claims...)
			st, out := s.verify(t, req.ID, a.build(t, req))
			if st == http.StatusOK || out["code"] != a.code {
				t.Fatalf("got %d %v, want code %s", st, out, a.code)
			}
		})
	}
	t.Run("status list unreachable", func(t *testing.T) {
		h := s.env.Issue(t, credentialtest.IssueOpts{})
		s.env.FailStatus(http.StatusServiceUnavailable)
		defer s.env.FailStatus(0)
		req := s.request(t, claims...)
		st, out := s.verify(t, req.ID, valid(h, req))
		if st == http.StatusOK || out["code"] != string(credential.CodeStatusUnavailable) {
			t.Fatalf("got %d %v", st, out)
		}
	})
	t.Run("replayed nonce", func(t *testing.T) {
		h := s.env.Issue(t, credentialtest.IssueOpts{})
		req := s.request(t, claims...)
		p := valid(h, req)
		if st, out := s.verify(t, req.ID, p); st != http.StatusOK {
			t.Fatalf("first: %d %v", st, out)
		}
		if st, out := s.verify(t, req.ID, p); st != http.StatusConflict || out["code"] != "nonce_replayed" {
			t.Fatalf("replay: %d %v", st, out)
		}
	})
}

func TestRPRejectsBadRequests(t *testing.T) {
	s := newRPServer(t)
	req := s.request(t, "age_over_19")
	for _, tc := range []struct {
		name, path string
		body       []byte
		status     int
		code       string
	}{
		{"malformed JSON", "/v1/presentation-requests/" + req.ID + "/verify", []byte(`{"presentation":`), 400, "malformed_json"},
		{"unknown field", "/v1/presentation-requests", []byte(`{"claims":["a"],"admin":true}`), 400, "malformed_json"},
		{"no claims", "/v1/presentation-requests", []byte(`{"claims":[]}`), 400, "invalid_request"},
		{"unknown request", "/v1/presentation-requests/nope/verify", []byte(`{"presentation":"x"}`), 404, "request_not_found"},
		{"oversized body", "/v1/presentation-requests/" + req.ID + "/verify", []byte(`{"presentation":"` + strings.Repeat("a", MaxBodyBytes) + `"}`), 413, "body_too_large"},
		{"unknown route", "/v1/admin", []byte(`{}`), 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, out := s.post(t, tc.path, tc.body)
			if st != tc.status || out["code"] != tc.code {
				t.Fatalf("got %d %v, want %d %s", st, out, tc.status, tc.code)
			}
		})
	}
}

// TestRPToken: a configured token is required (scheme case-insensitive); without one the
// relying-party routes are closed unless OpenRP opens them.
func TestRPToken(t *testing.T) {
	env := credentialtest.New(t)
	rp, err := NewRP(RPConfig{Credentials: env.Verifier(t), Requests: NewMemoryRequests(10), Audience: "https://rental.example"})
	if err != nil {
		t.Fatal(err)
	}
	serve := func(api *API) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := NewServer(api.Handler)
		go func() { _ = srv.Serve(l) }()
		t.Cleanup(func() { _ = srv.Shutdown() })
		return "http://" + l.Addr().String()
	}
	withToken := serve(&API{RP: rp, RPToken: HashToken("rp-secret")})
	closed := serve(&API{RP: rp})
	open := serve(&API{RP: rp, OpenRP: true})
	post := func(base, path, auth string) int {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(`{"claims":["age_over_19"]}`))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		base, path, auth string
		want             int
	}{
		{withToken, "/v1/presentation-requests", "", http.StatusUnauthorized},
		{withToken, "/v1/presentation-requests", "Bearer guess", http.StatusUnauthorized},
		{withToken, "/v1/presentation-requests", "Bearer ", http.StatusUnauthorized},
		{withToken, "/v1/presentation-requests/x/verify", "", http.StatusUnauthorized},
		{withToken, "/v1/presentation-requests", "Bearer rp-secret", http.StatusCreated},
		{withToken, "/v1/presentation-requests", "bearer rp-secret", http.StatusCreated},
		{closed, "/v1/presentation-requests", "", http.StatusUnauthorized},
		{closed, "/v1/presentation-requests", "Bearer anything", http.StatusUnauthorized},
		{open, "/v1/presentation-requests", "", http.StatusCreated},
	} {
		if got := post(tc.base, tc.path, tc.auth); got != tc.want {
			t.Errorf("%s%s with %q: %d, want %d", tc.base, tc.path, tc.auth, got, tc.want)
		}
	}
}
