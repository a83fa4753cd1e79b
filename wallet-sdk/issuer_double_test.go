package walletsdk

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/cert"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/idgate/idgate/sdjwt"
)

// Test double of an OpenID4VCI issuer at the HTTP edge: real proof checking, real SD-JWT
// issuance (sdjwt.Issue) under an in-process test CA. Knobs make it misbehave per test.

const (
	testVCT        = "urn:idgate:vct:government-employee-id:1"
	testConfigID   = "employee-id"
	testGivenName  = "Erika"
	testFamilyName = "Mustermann"
	testStreet     = "Heidestrasse 17"
)

// testCA is an in-process root with one issuer leaf; x5c carries the leaf only.
type testCA struct {
	rootKey *ecdsa.PrivateKey
	root    *x509.Certificate
	leafKey *ecdsa.PrivateKey
	leaf    *x509.Certificate
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	ca := &testCA{}
	var err error
	ca.rootKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca.leafKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &ca.rootKey.PublicKey, ca.rootKey)
	if err != nil {
		t.Fatal(err)
	}
	ca.root, _ = x509.ParseCertificate(der)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "test issuer"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err = x509.CreateCertificate(rand.Reader, leafTmpl, ca.root, &ca.leafKey.PublicKey, ca.rootKey)
	if err != nil {
		t.Fatal(err)
	}
	ca.leaf, _ = x509.ParseCertificate(der)
	return ca
}

type issuerDouble struct {
	t   testing.TB
	ca  *testCA
	srv *httptest.Server
	URL string

	mu              sync.Mutex
	code, txCode    string
	token           string
	nonces          map[string]bool // issued and unused
	nonceCalls      int
	credentialCalls int

	// knobs
	metadataIssuer  string        // credential_issuer in metadata ("" = correct)
	staleTokenNonce bool          // the token's c_nonce is rejected as invalid_nonce
	alwaysBadNonce  bool          // every nonce is rejected
	bindOtherKey    bool          // cnf.jwk is not the proof key
	issueVCT        string        // vct to issue ("" = testVCT)
	signWithOther   bool          // issuer signs with a key not in x5c
	hugeCredential  bool          // credential response over the size bound
	exp             time.Duration // credential lifetime (0 = 1 year)
}

func newIssuerDouble(t testing.TB) *issuerDouble {
	t.Helper()
	d := &issuerDouble{t: t, ca: newTestCA(t), code: "pre-auth-" + randomID(), txCode: "493536", nonces: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-credential-issuer", d.issuerMetadata)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", d.asMetadata)
	mux.HandleFunc("POST /token", d.tokenEndpoint)
	mux.HandleFunc("POST /nonce", d.nonceEndpoint)
	mux.HandleFunc("POST /credential", d.credentialEndpoint)
	mux.HandleFunc("GET /offer", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, d.offer()) })
	d.srv = httptest.NewServer(mux)
	d.URL = d.srv.URL
	t.Cleanup(d.srv.Close)
	return d
}

func (d *issuerDouble) offer() map[string]any {
	return map[string]any{
		"credential_issuer":            d.URL,
		"credential_configuration_ids": []string{testConfigID},
		"grants": map[string]any{preAuthGrantType: map[string]any{
			"pre-authorized_code": d.code,
			"tx_code":             map[string]any{"input_mode": "numeric", "length": 6},
		}},
	}
}

// OfferURI is the by-value offer URI.
func (d *issuerDouble) OfferURI() string {
	b, _ := json.Marshal(d.offer())
	return "openid-credential-offer://?credential_offer=" + url.QueryEscape(string(b))
}

// OfferRefURI is the by-reference offer URI.
func (d *issuerDouble) OfferRefURI() string {
	return "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(d.URL+"/offer")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": code + " (test double)"})
}

func (d *issuerDouble) issuerMetadata(w http.ResponseWriter, r *http.Request) {
	iss := d.URL
	if d.metadataIssuer != "" {
		iss = d.metadataIssuer
	}
	writeJSON(w, 200, map[string]any{
		"credential_issuer":   iss,
		"credential_endpoint": d.URL + "/credential",
		"nonce_endpoint":      d.URL + "/nonce",
		"credential_configurations_supported": map[string]any{
			testConfigID: map[string]any{
				"format": "dc+sd-jwt", "vct": testVCT,
				"cryptographic_binding_methods_supported": []string{"jwk"},
				"credential_signing_alg_values_supported": []string{"ES256"},
				"proof_types_supported":                   map[string]any{"jwt": map[string]any{"proof_signing_alg_values_supported": []string{"ES256"}}},
			},
			"mdoc-only": map[string]any{"format": "mso_mdoc", "doctype": "org.iso.18013.5.1.mDL"},
		},
	})
}

func (d *issuerDouble) asMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"issuer": d.URL, "token_endpoint": d.URL + "/token",
		"pre-authorized_grant_anonymous_access_supported": true})
}

func (d *issuerDouble) newNonce() string {
	n := randomID()
	d.nonces[n] = true
	return n
}

func (d *issuerDouble) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r.PostFormValue("grant_type") != preAuthGrantType || r.PostFormValue("pre-authorized_code") != d.code {
		oauthError(w, 400, "invalid_grant")
		return
	}
	if r.PostFormValue("tx_code") != d.txCode {
		oauthError(w, 400, "invalid_grant")
		return
	}
	d.token = randomID()
	nonce := d.newNonce()
	if d.staleTokenNonce {
		delete(d.nonces, nonce)
	}
	writeJSON(w, 200, map[string]any{"access_token": d.token, "token_type": "Bearer", "expires_in": 300,
		"c_nonce": nonce, "c_nonce_expires_in": 300})
}

func (d *issuerDouble) nonceEndpoint(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.nonceCalls++
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, map[string]string{"c_nonce": d.newNonce()})
}

// checkProof verifies the openid4vci-proof+jwt as a real issuer would and returns its key.
func (d *issuerDouble) checkProof(proof string) (jwk.Key, string, error) {
	msg, err := jws.Parse([]byte(proof))
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, "", fmt.Errorf("proof is not a JWS: %v", err)
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	if h.Type() != proofType || h.Algorithm() != jwa.ES256 || h.JWK() == nil {
		return nil, "", fmt.Errorf("proof header typ=%q alg=%q", h.Type(), h.Algorithm())
	}
	if _, ok := h.JWK().(jwk.ECDSAPrivateKey); ok {
		return nil, "", fmt.Errorf("proof header carries a private key")
	}
	tok, err := jwt.Parse([]byte(proof), jwt.WithKey(jwa.ES256, h.JWK()), jwt.WithAudience(d.URL), jwt.WithValidate(true))
	if err != nil {
		return nil, "", err
	}
	if time.Since(tok.IssuedAt()) > time.Minute {
		return nil, "", fmt.Errorf("proof iat too old")
	}
	nonce, _ := tok.Get("nonce")
	s, _ := nonce.(string)
	return h.JWK(), s, nil
}

func (d *issuerDouble) credentialEndpoint(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.credentialCalls++
	if d.token == "" || r.Header.Get("Authorization") != "Bearer "+d.token {
		oauthError(w, 401, "invalid_token")
		return
	}
	var req credentialRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Proofs.JWT) != 1 {
		oauthError(w, 400, "invalid_credential_request")
		return
	}
	if req.ConfigurationID != testConfigID {
		oauthError(w, 400, "unknown_credential_configuration")
		return
	}
	key, nonce, err := d.checkProof(req.Proofs.JWT[0])
	if err != nil {
		d.t.Logf("issuer double: proof rejected: %v", err)
		oauthError(w, 400, "invalid_proof")
		return
	}
	if !d.nonces[nonce] || d.alwaysBadNonce {
		oauthError(w, 400, "invalid_nonce")
		return
	}
	delete(d.nonces, nonce)
	if d.bindOtherKey {
		other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		key, _ = jwk.FromRaw(&other.PublicKey)
	}
	cred := d.issue(key)
	if d.hugeCredential {
		cred += string(make([]byte, maxCredentialBody))
	}
	writeJSON(w, 200, map[string]any{"credentials": []map[string]string{{"credential": cred}}})
}

func (d *issuerDouble) issue(holder jwk.Key) string {
	jm, err := holder.AsMap(context.Background())
	if err != nil {
		d.t.Errorf("issuer double: %v", err)
	}
	vct := testVCT
	if d.issueVCT != "" {
		vct = d.issueVCT
	}
	life := d.exp
	if life == 0 {
		life = 365 * 24 * time.Hour
	}
	now := time.Now()
	claims := map[string]any{
		"iss": d.URL, "vct": vct, "iat": now.Unix(), "exp": now.Add(life).Unix(),
		"cnf":         map[string]any{"jwk": jm},
		"given_name":  testGivenName,
		"family_name": testFamilyName,
		"birth_date":  "1984-01-26",
		"address":     map[string]any{"street_address": testStreet, "locality": "Berlin", "country": "DE"},
	}
	var signer crypto.Signer = d.ca.leafKey
	if d.signWithOther {
		signer, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	var x5c cert.Chain
	x5c.AddString(base64.StdEncoding.EncodeToString(d.ca.leaf.Raw))
	out, err := sdjwt.Issue(claims, []string{"/given_name", "/family_name", "/birth_date", "/address",
		"/address/street_address", "/address/locality"}, sdjwt.IssueOptions{
		Signer: signer, Alg: jwa.ES256, Decoys: 1,
		Header: map[string]any{"typ": "dc+sd-jwt", "x5c": &x5c},
	})
	if err != nil {
		d.t.Errorf("issuer double: %v", err)
	}
	return out
}
