// Package oid4vcitest is a test double of an OpenID4VCI 1.0 issuer for the wallet SDK's tests
// and examples, at the HTTP edge: it checks proof JWTs for real and issues real SD-JWT VCs
// (sdjwt.Issue) under an in-process test CA. Knobs make it misbehave per test. Test-only:
// nothing outside _test.go files imports it.
package oid4vcitest

import (
	"cmp"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/cert"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/sdjwt"
)

// What the double issues.
const (
	preAuthGrantType = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
	proofType        = "openid4vci-proof+jwt"
	VCT              = "urn:idgate:vct:government-employee-id:1"
	ConfigID         = "employee-id"
	ConfigIDMdoc     = "org.iso.18013.5.1.mDL" // the mDL as an mdoc (mso_mdoc)
	DocType          = "org.iso.18013.5.1.mDL"
	GivenName        = "Erika"
	FamilyName       = "Mustermann"
	Street           = "Heidestrasse 17"
)

// CA is an in-process root with one issuer leaf; x5c carries the leaf only.
type CA struct {
	RootKey *ecdsa.PrivateKey
	Root    *x509.Certificate
	LeafKey *ecdsa.PrivateKey
	Leaf    *x509.Certificate
}

// NewCA makes a root and an issuer leaf valid from an hour ago for a day.
func NewCA(t T) *CA {
	t.Helper()
	ca := &CA{}
	var err error
	ca.RootKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca.LeafKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &ca.RootKey.PublicKey, ca.RootKey)
	if err != nil {
		t.Fatal(err)
	}
	ca.Root, _ = x509.ParseCertificate(der)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "test issuer"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err = x509.CreateCertificate(rand.Reader, leafTmpl, ca.Root, &ca.LeafKey.PublicKey, ca.RootKey)
	if err != nil {
		t.Fatal(err)
	}
	ca.Leaf, _ = x509.ParseCertificate(der)
	return ca
}

// Issuer is the running double. Set knobs before the wallet talks to it.
type Issuer struct {
	t      T
	CA     *CA
	Server *httptest.Server
	URL    string

	mu              sync.Mutex
	Code, TxCode    string
	tokens          map[string]bool // issued access tokens
	nonces          map[string]bool // issued and unused
	nonceCalls      int
	credentialCalls int
	mdocSigner      *mdocSigner // built on first mdoc issue

	// knobs
	MetadataIssuer  string        // credential_issuer in metadata ("" = correct)
	CredentialIss   string        // iss in the issued credential ("" = correct)
	StaleTokenNonce bool          // the token's c_nonce is rejected as invalid_nonce
	AlwaysBadNonce  bool          // every nonce is rejected
	BindOtherKey    bool          // cnf.jwk is not the proof key
	IssueVCT        string        // vct to issue ("" = VCT)
	SignWithOther   bool          // issuer signs with a key not in x5c
	OversizeBy      int           // pad the credential response by this many bytes
	Exp             time.Duration // credential lifetime (0 = 1 year)
	Offered         []string      // credential_configuration_ids of the offer (nil = ConfigID)
	// MdocStatus is the status list entry an mdoc's MSO points at (nil = index 3 of a list
	// under the double's URL, which it does not serve).
	MdocStatus *mdoc.StatusListRef
}

// T is the part of testing.TB the double uses.
type T interface {
	Helper()
	Fatal(args ...any)
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
	Cleanup(func())
}

// exampleT lets Example functions, which have no *testing.T, run the double.
type exampleT struct{ cleanups []func() }

func (e *exampleT) Helper()                   {}
func (e *exampleT) Fatal(args ...any)         { panic(fmt.Sprint(args...)) }
func (e *exampleT) Errorf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (e *exampleT) Logf(string, ...any)       {}
func (e *exampleT) Cleanup(f func())          { e.cleanups = append(e.cleanups, f) }

// Start runs the double outside a test (for Example functions); call stop when done.
func Start() (iss *Issuer, stop func()) {
	e := &exampleT{}
	return New(e), func() {
		for i := len(e.cleanups) - 1; i >= 0; i-- {
			e.cleanups[i]()
		}
	}
}

// New starts the double on a loopback httptest server, stopped at test cleanup.
func New(t T) *Issuer {
	t.Helper()
	d := &Issuer{t: t, CA: NewCA(t), Code: "pre-auth-" + randomID(), TxCode: "493536", nonces: map[string]bool{}, tokens: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-credential-issuer", d.issuerMetadata)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", d.asMetadata)
	mux.HandleFunc("POST /token", d.tokenEndpoint)
	mux.HandleFunc("POST /nonce", d.nonceEndpoint)
	mux.HandleFunc("POST /credential", d.credentialEndpoint)
	mux.HandleFunc("GET /offer", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, d.offer()) })
	d.Server = httptest.NewServer(mux)
	d.URL = d.Server.URL
	t.Cleanup(d.Server.Close)
	return d
}

// Calls reports how often the nonce and credential endpoints were hit.
func (d *Issuer) Calls() (nonce, credential int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.nonceCalls, d.credentialCalls
}

func (d *Issuer) offer() map[string]any {
	ids := d.Offered
	if ids == nil {
		ids = []string{ConfigID}
	}
	return map[string]any{
		"credential_issuer":            d.URL,
		"credential_configuration_ids": ids,
		"grants": map[string]any{preAuthGrantType: map[string]any{
			"pre-authorized_code": d.Code,
			"tx_code":             map[string]any{"input_mode": "numeric", "length": 6},
		}},
	}
}

// OfferURI is the by-value offer URI.
func (d *Issuer) OfferURI() string {
	b, _ := json.Marshal(d.offer())
	return "openid-credential-offer://?credential_offer=" + url.QueryEscape(string(b))
}

// OfferRefURI is the by-reference offer URI.
func (d *Issuer) OfferRefURI() string {
	return "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(d.URL+"/offer")
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": code + " (test double)"})
}

func (d *Issuer) issuerMetadata(w http.ResponseWriter, r *http.Request) {
	iss := d.URL
	if d.MetadataIssuer != "" {
		iss = d.MetadataIssuer
	}
	writeJSON(w, 200, map[string]any{
		"credential_issuer":   iss,
		"credential_endpoint": d.URL + "/credential",
		"nonce_endpoint":      d.URL + "/nonce",
		"credential_configurations_supported": map[string]any{
			ConfigID: map[string]any{
				"format": "dc+sd-jwt", "vct": VCT,
				"cryptographic_binding_methods_supported": []string{"jwk"},
				"credential_signing_alg_values_supported": []string{"ES256"},
				"proof_types_supported":                   map[string]any{"jwt": map[string]any{"proof_signing_alg_values_supported": []string{"ES256"}}},
			},
			ConfigIDMdoc: map[string]any{
				"format": "mso_mdoc", "doctype": DocType,
				"cryptographic_binding_methods_supported": []string{"cose_key"},
				"credential_signing_alg_values_supported": []int{-7},
				"proof_types_supported":                   map[string]any{"jwt": map[string]any{"proof_signing_alg_values_supported": []string{"ES256"}}},
			},
			"jwt-vc-only": map[string]any{"format": "jwt_vc_json"},
		},
	})
}

func (d *Issuer) asMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"issuer": d.URL, "token_endpoint": d.URL + "/token",
		"pre-authorized_grant_anonymous_access_supported": true})
}

func (d *Issuer) newNonce() string {
	n := randomID()
	d.nonces[n] = true
	return n
}

func (d *Issuer) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r.PostFormValue("grant_type") != preAuthGrantType || r.PostFormValue("pre-authorized_code") != d.Code {
		oauthError(w, 400, "invalid_grant")
		return
	}
	if r.PostFormValue("tx_code") != d.TxCode {
		oauthError(w, 400, "invalid_grant")
		return
	}
	token := randomID()
	d.tokens[token] = true
	nonce := d.newNonce()
	if d.StaleTokenNonce {
		delete(d.nonces, nonce)
	}
	writeJSON(w, 200, map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 300,
		"c_nonce": nonce, "c_nonce_expires_in": 300})
}

func (d *Issuer) nonceEndpoint(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.nonceCalls++
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, map[string]string{"c_nonce": d.newNonce()})
}

// checkProof verifies the openid4vci-proof+jwt as a real issuer would and returns its key.
func (d *Issuer) checkProof(proof string) (jwk.Key, string, error) {
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

func (d *Issuer) credentialEndpoint(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.credentialCalls++
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); !ok || !d.tokens[tok] {
		oauthError(w, 401, "invalid_token")
		return
	}
	var req struct {
		ConfigurationID string `json:"credential_configuration_id"`
		Proofs          struct {
			JWT []string `json:"jwt"`
		} `json:"proofs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Proofs.JWT) != 1 {
		oauthError(w, 400, "invalid_credential_request")
		return
	}
	if req.ConfigurationID != ConfigID && req.ConfigurationID != ConfigIDMdoc {
		oauthError(w, 400, "unknown_credential_configuration")
		return
	}
	key, nonce, err := d.checkProof(req.Proofs.JWT[0])
	if err != nil {
		d.t.Logf("issuer double: proof rejected: %v", err)
		oauthError(w, 400, "invalid_proof")
		return
	}
	if !d.nonces[nonce] || d.AlwaysBadNonce {
		oauthError(w, 400, "invalid_nonce")
		return
	}
	delete(d.nonces, nonce)
	if d.BindOtherKey {
		other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		key, _ = jwk.FromRaw(&other.PublicKey)
	}
	var cred string
	if req.ConfigurationID == ConfigIDMdoc {
		cred = d.issueMdoc(key)
	} else {
		cred = d.issue(key)
	}
	if d.OversizeBy > 0 {
		cred += string(make([]byte, d.OversizeBy))
	}
	writeJSON(w, 200, map[string]any{"credentials": []map[string]string{{"credential": cred}}})
}

func (d *Issuer) issue(holder jwk.Key) string {
	// Through JSON, not AsMap: AsMap yields raw coordinate bytes, which would marshal as
	// padded standard base64 instead of the base64url a JWK requires.
	var jm map[string]any
	js, err := json.Marshal(holder)
	if err == nil {
		err = json.Unmarshal(js, &jm)
	}
	if err != nil {
		d.t.Errorf("issuer double: %v", err)
	}
	vct := VCT
	if d.IssueVCT != "" {
		vct = d.IssueVCT
	}
	life := d.Exp
	if life == 0 {
		life = 365 * 24 * time.Hour
	}
	now := time.Now()
	claims := map[string]any{
		"iss": cmp.Or(d.CredentialIss, d.URL), "vct": vct, "iat": now.Unix(), "exp": now.Add(life).Unix(),
		"cnf":         map[string]any{"jwk": jm},
		"given_name":  GivenName,
		"family_name": FamilyName,
		"birth_date":  "1984-01-26",
		"address":     map[string]any{"street_address": Street, "locality": "Berlin", "country": "DE"},
	}
	var signer crypto.Signer = d.CA.LeafKey
	if d.SignWithOther {
		signer, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	var x5c cert.Chain
	x5c.AddString(base64.StdEncoding.EncodeToString(d.CA.Leaf.Raw))
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
