package issuerhttp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/cert"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/storage/memory"
	"github.com/idgate/idgate/keyattest"
)

const walletProviderCN = "test wallet provider"

// attestFixture is an issuer that requires key attestations for the licence (key storage at
// least moderate) and trusts one wallet provider, under a CA of its own.
type attestFixture struct {
	*fixture
	provider certs.Signer
}

func newAttestFixture(t *testing.T) *attestFixture {
	t.Helper()
	wpCA := certstest.NewCA(t)
	moderate, err := keyattest.AtLeast(keyattest.ISO18045Moderate)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(c *issuer.Config) {
		c.KeyAttestation = issuer.KeyAttestationConfig{
			Trust:    wpCA.TrustList(certs.PurposeWalletProvider, certs.ScopeAny, walletProviderCN),
			Required: map[string]keyattest.Policy{string(credential.DrivingLicence): {KeyStorage: moderate}},
		}
	})
	return &attestFixture{fixture: f, provider: wpCA.Issue(t, walletProviderCN, certstest.WithProfile(certs.ProfileKeyAttestation))}
}

// attestation is what the wallet provider says of keys: high key storage, valid for an hour.
func (f *attestFixture) attestation(t testing.TB, nonce string, mod func(*keyattest.Claims), keys ...holder) string {
	t.Helper()
	c := keyattest.Claims{IssuedAt: f.now, ExpiresAt: f.now.Add(time.Hour), Nonce: nonce,
		KeyStorage: []string{keyattest.ISO18045High}, UserAuthentication: []string{keyattest.ISO18045Moderate}}
	for _, h := range keys {
		c.AttestedKeys = append(c.AttestedKeys, crypto.PublicKey(&h.key.PublicKey))
	}
	if mod != nil {
		mod(&c)
	}
	s, err := keyattest.Issue(f.provider, c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// attestedProof is a jwt proof by h carrying att in its key_attestation header.
func (f *attestFixture) attestedProof(t testing.TB, h holder, nonce, att string) string {
	return h.proof(t, f.url, nonce, f.now, func(hdr jws.Headers, _ map[string]any) { _ = hdr.Set("key_attestation", att) })
}

// licenceToken is an access token (and its c_nonce) for a fresh licence offer.
func (f *attestFixture) licenceToken(t testing.TB) (token, nonce string) {
	t.Helper()
	_, code := f.enrolAndOffer(credential.DrivingLicence)
	st, tok := f.redeem(code)
	if st != http.StatusOK {
		t.Fatalf("token: %d %v", st, tok)
	}
	return tok["access_token"].(string), tok["c_nonce"].(string)
}

func TestKeyAttestationMetadata(t *testing.T) {
	f := newAttestFixture(t)
	st, md := f.call("GET", "/.well-known/openid-credential-issuer", "", "", "")
	if st != http.StatusOK {
		t.Fatal(st)
	}
	configs := md["credential_configurations_supported"].(map[string]any)
	algs := []any{"ES256", "ES384", "ES512", "EdDSA"}
	required := map[string]any{"key_storage": []any{keyattest.ISO18045High, keyattest.ISO18045Moderate}}
	wantMDL := map[string]any{
		"jwt":         map[string]any{"proof_signing_alg_values_supported": algs, "key_attestations_required": required},
		"attestation": map[string]any{"proof_signing_alg_values_supported": algs, "key_attestations_required": required},
	}
	if got := configs["mdl"].(map[string]any)["proof_types_supported"]; !reflect.DeepEqual(got, wantMDL) {
		t.Errorf("mdl proof_types_supported %v, want %v", toJSON(got), toJSON(wantMDL))
	}
	// Where none is required, key_attestations_required MUST NOT be present (§12.2.4).
	wantEmp := map[string]any{"jwt": map[string]any{"proof_signing_alg_values_supported": algs}}
	if got := configs["employee-id"].(map[string]any)["proof_types_supported"]; !reflect.DeepEqual(got, wantEmp) {
		t.Errorf("employee-id proof_types_supported %v, want %v", toJSON(got), toJSON(wantEmp))
	}
}

func TestKeyAttestationAccepted(t *testing.T) {
	f := newAttestFixture(t)
	check := func(name, tok, body string, h holder) {
		t.Helper()
		st, res := f.call("POST", "/credential", tok, "application/json", body)
		if st != http.StatusOK {
			t.Fatalf("%s: %d %v", name, st, res)
		}
		cnf, _ := claimsOf(t, vcOf(t, res))["cnf"].(map[string]any)
		var want map[string]any
		_ = json.Unmarshal([]byte(toJSON(h.pub)), &want)
		if got, _ := cnf["jwk"].(map[string]any); got == nil || got["x"] != want["x"] || got["y"] != want["y"] {
			t.Fatalf("%s: credential bound to %v, want %v", name, cnf, want)
		}
	}

	// jwt proof with the key attestation in its header; the attestation may attest more keys.
	tok, nonce := f.licenceToken(t)
	h, other := newHolder(t), newHolder(t)
	check("jwt proof", tok, credentialBody("mdl", f.attestedProof(t, h, nonce, f.attestation(t, nonce, nil, other, h))), h)

	// attestation proof type: no proof of possession, the one attested key is bound.
	tok, nonce = f.licenceToken(t)
	h = newHolder(t)
	check("attestation proof", tok, `{"credential_configuration_id":"mdl","proofs":{"attestation":["`+f.attestation(t, nonce, nil, h)+`"]}}`, h)

	// A configuration that requires none takes a plain jwt proof.
	_, code := f.enrolAndOffer(credential.EmployeeID)
	_, etok := f.redeem(code)
	h = newHolder(t)
	if st, res := f.call("POST", "/credential", etok["access_token"].(string), "application/json",
		credentialBody("employee-id", h.proof(t, f.url, etok["c_nonce"].(string), f.now, nil))); st != http.StatusOK {
		t.Fatalf("employee-id without attestation: %d %v", st, res)
	}
}

// wrongTyp signs the claims of a valid attestation with typ JWT.
func (f *attestFixture) wrongTyp(t testing.TB, nonce string, h holder) string {
	t.Helper()
	good := f.attestation(t, nonce, nil, h)
	a, err := keyattest.Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{"iat": f.now.Unix(), "exp": f.now.Add(time.Hour).Unix(), "nonce": nonce,
		"attested_keys": a.AttestedKeys, "key_storage": []string{keyattest.ISO18045High}})
	hdr := jws.NewHeaders()
	var chain cert.Chain
	for _, c := range a.X5C {
		_ = chain.AddString(c)
	}
	_ = hdr.Set(jws.TypeKey, "JWT")
	_ = hdr.Set(jws.X509CertChainKey, &chain)
	out, err := jws.Sign(payload, jws.WithKey(jwa.ES256, f.provider, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestKeyAttestationRefused(t *testing.T) {
	f := newAttestFixture(t)
	untrustedCA := certstest.NewCA(t)
	untrusted := untrustedCA.Issue(t, walletProviderCN, certstest.WithProfile(certs.ProfileKeyAttestation))
	tests := []struct {
		name string
		body func(t *testing.T, nonce string) string
		code string
		desc string // a part of error_description
	}{
		{"no attestation", func(t *testing.T, nonce string) string {
			return credentialBody("mdl", newHolder(t).proof(t, f.url, nonce, f.now, nil))
		}, "invalid_proof", "this credential configuration requires a key attestation"},
		{"untrusted wallet provider", func(t *testing.T, nonce string) string {
			h := newHolder(t)
			att, err := keyattest.Issue(untrusted, keyattest.Claims{IssuedAt: f.now, ExpiresAt: f.now.Add(time.Hour), Nonce: nonce,
				AttestedKeys: []crypto.PublicKey{&h.key.PublicKey}, KeyStorage: []string{keyattest.ISO18045High}})
			if err != nil {
				t.Fatal(err)
			}
			return credentialBody("mdl", f.attestedProof(t, h, nonce, att))
		}, "invalid_proof", "key attestation refused (untrusted)"},
		{"expired attestation", func(t *testing.T, nonce string) string {
			h := newHolder(t)
			return credentialBody("mdl", f.attestedProof(t, h, nonce, f.attestation(t, nonce, func(c *keyattest.Claims) {
				c.IssuedAt, c.ExpiresAt = f.now.Add(-3*time.Hour), f.now.Add(-2*time.Hour)
			}, h)))
		}, "invalid_proof", "key attestation refused (expired)"},
		{"attestation without exp in a jwt proof", func(t *testing.T, nonce string) string {
			h := newHolder(t)
			return credentialBody("mdl", f.attestedProof(t, h, nonce, f.attestation(t, nonce, func(c *keyattest.Claims) { c.ExpiresAt = time.Time{} }, h)))
		}, "invalid_proof", "exp is required"},
		{"proof key not attested", func(t *testing.T, nonce string) string {
			return credentialBody("mdl", f.attestedProof(t, newHolder(t), nonce, f.attestation(t, nonce, nil, newHolder(t))))
		}, "invalid_proof", "the proof key is not one of the attested_keys"},
		{"wrong typ", func(t *testing.T, nonce string) string {
			h := newHolder(t)
			return credentialBody("mdl", f.attestedProof(t, h, nonce, f.wrongTyp(t, nonce, h)))
		}, "invalid_proof", "key attestation refused (typ)"},
		{"insufficient key storage", func(t *testing.T, nonce string) string {
			h := newHolder(t)
			return credentialBody("mdl", f.attestedProof(t, h, nonce, f.attestation(t, nonce, func(c *keyattest.Claims) {
				c.KeyStorage = []string{keyattest.ISO18045EnhancedBasic}
			}, h)))
		}, "invalid_proof", "key attestation refused (key_storage)"},
		{"no key storage asserted", func(t *testing.T, nonce string) string {
			h := newHolder(t)
			return credentialBody("mdl", f.attestedProof(t, h, nonce, f.attestation(t, nonce, func(c *keyattest.Claims) { c.KeyStorage = nil }, h)))
		}, "invalid_proof", "key attestation refused (key_storage)"},
		{"attestation nonce not the proof nonce", func(t *testing.T, nonce string) string {
			h := newHolder(t)
			return credentialBody("mdl", f.attestedProof(t, h, nonce, f.attestation(t, freshNonce(f.fixture), nil, h)))
		}, "invalid_proof", "nonce"},
		{"attestation proof without nonce", func(t *testing.T, nonce string) string {
			return `{"credential_configuration_id":"mdl","proofs":{"attestation":["` + f.attestation(t, "", nil, newHolder(t)) + `"]}}`
		}, "invalid_nonce", "nonce"},
		{"attestation proof with a spent nonce", func(t *testing.T, _ string) string {
			return `{"credential_configuration_id":"mdl","proofs":{"attestation":["` + f.attestation(t, "spent-or-never-issued", nil, newHolder(t)) + `"]}}`
		}, "invalid_nonce", "nonce"},
		{"attestation proof of two keys", func(t *testing.T, nonce string) string {
			return `{"credential_configuration_id":"mdl","proofs":{"attestation":["` + f.attestation(t, nonce, nil, newHolder(t), newHolder(t)) + `"]}}`
		}, "invalid_proof", "exactly one key"},
		{"attestation proof of an RSA key", func(t *testing.T, nonce string) string {
			rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			return `{"credential_configuration_id":"mdl","proofs":{"attestation":["` + f.attestation(t, nonce, func(c *keyattest.Claims) {
				c.AttestedKeys = []crypto.PublicKey{&rsaKey.PublicKey}
			}) + `"]}}`
		}, "invalid_proof", "EC (P-256, P-384, P-521) or Ed25519"},
		{"attestation proof, untrusted provider", func(t *testing.T, nonce string) string {
			h := newHolder(t)
			att, _ := keyattest.Issue(untrusted, keyattest.Claims{IssuedAt: f.now, Nonce: nonce,
				AttestedKeys: []crypto.PublicKey{&h.key.PublicKey}, KeyStorage: []string{keyattest.ISO18045High}})
			return `{"credential_configuration_id":"mdl","proofs":{"attestation":["` + att + `"]}}`
		}, "invalid_proof", "untrusted"},
		{"key_attestation header not a string", func(t *testing.T, nonce string) string {
			return credentialBody("mdl", newHolder(t).proof(t, f.url, nonce, f.now, func(hdr jws.Headers, _ map[string]any) {
				_ = hdr.Set("key_attestation", map[string]any{"a": 1})
			}))
		}, "invalid_proof", "key_attestation header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, nonce := f.licenceToken(t)
			st, res := f.call("POST", "/credential", tok, "application/json", tt.body(t, nonce))
			desc, _ := res["error_description"].(string)
			if st != http.StatusBadRequest || res["error"] != tt.code || !strings.Contains(desc, tt.desc) {
				t.Fatalf("%d %v, want 400 %s %q", st, res, tt.code, tt.desc)
			}
			if strings.ContainsAny(desc, "\"\\") {
				t.Fatalf("error_description has characters OAuth does not allow: %q", desc)
			}
		})
	}

	// The attestation proof type is refused where no attestation is required.
	_, code := f.enrolAndOffer(credential.EmployeeID)
	_, tok := f.redeem(code)
	body := `{"credential_configuration_id":"employee-id","proofs":{"attestation":["` + f.attestation(t, tok["c_nonce"].(string), nil, newHolder(t)) + `"]}}`
	if st, res := f.call("POST", "/credential", tok["access_token"].(string), "application/json", body); st != http.StatusBadRequest || res["error"] != "invalid_proof" {
		t.Fatalf("attestation proof for employee-id: %d %v", st, res)
	}
}

func TestKeyAttestationConfig(t *testing.T) {
	ca := certstest.NewCA(t)
	for _, tt := range []struct {
		name string
		ka   issuer.KeyAttestationConfig
	}{
		{"no trust", issuer.KeyAttestationConfig{Required: map[string]keyattest.Policy{"mdl": {}}}},
		{"unknown configuration", issuer.KeyAttestationConfig{Trust: ca.TrustList(certs.PurposeWalletProvider, "*"), Required: map[string]keyattest.Policy{"passport": {}}}},
		{"empty level", issuer.KeyAttestationConfig{Trust: ca.TrustList(certs.PurposeWalletProvider, "*"), Required: map[string]keyattest.Policy{"mdl": {KeyStorage: []string{""}}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := "https://issuer.example"
			_, err := issuer.New(issuer.Config{Store: memory.New(), PublicURL: u,
				Signers:      map[credential.Type]certs.Signer{credential.DrivingLicence: ca.Issue(t, "idgate Driving Licence Issuer", certstest.WithURI(u))},
				StatusSigner: ca.Issue(t, "s", certstest.WithURI(u)), KeyAttestation: tt.ka})
			if err == nil || !strings.Contains(err.Error(), "key attestation") {
				t.Fatalf("err %v", err)
			}
		})
	}
}
