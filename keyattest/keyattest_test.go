package keyattest_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/keyattest"
	"github.com/idgate/idgate/statuslist"
)

// env is a wallet provider under its own test CA, trusted for key attestations, and a device key.
type env struct {
	now      time.Time
	provider certs.Signer
	trust    *certs.TrustList
	device   *ecdsa.PrivateKey
}

const providerCN = "test wallet provider"

func newEnv(t testing.TB) *env {
	t.Helper()
	ca := certstest.NewCA(t)
	device, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &env{
		now:      time.Now().Truncate(time.Second),
		provider: ca.Issue(t, providerCN, certstest.WithProfile(certs.ProfileKeyAttestation)),
		trust:    ca.TrustList(certs.PurposeWalletProvider, certs.ScopeAny, providerCN),
		device:   device,
	}
}

func (e *env) claims() keyattest.Claims {
	return keyattest.Claims{
		Issuer: "https://wallet-provider.example", IssuedAt: e.now, ExpiresAt: e.now.Add(time.Hour),
		AttestedKeys: []crypto.PublicKey{&e.device.PublicKey}, KeyStorage: []string{keyattest.ISO18045High},
		UserAuthentication: []string{keyattest.ISO18045Moderate}, Nonce: "c-nonce-1",
	}
}

func (e *env) issue(t testing.TB, mod func(*keyattest.Claims)) string {
	t.Helper()
	c := e.claims()
	if mod != nil {
		mod(&c)
	}
	s, err := keyattest.Issue(e.provider, c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) opts() keyattest.VerifyOptions {
	return keyattest.VerifyOptions{Trust: e.trust, Now: e.now, RequireExp: true}
}

// resign replaces the header and claims of a valid attestation and signs it again (ES256)
// with key, whatever the header says.
func resign(t testing.TB, compact string, key crypto.Signer, mod func(hdr, claims map[string]any)) string {
	t.Helper()
	parts := strings.Split(compact, ".")
	var hdr, claims map[string]any
	for i, dst := range []*map[string]any{&hdr, &claims} {
		b, _ := base64.RawURLEncoding.DecodeString(parts[i])
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	mod(hdr, claims)
	return signES256(t, hdr, claims, key)
}

func signES256(t testing.TB, hdr, claims map[string]any, key crypto.Signer) string {
	t.Helper()
	h, _ := json.Marshal(hdr)
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	der, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		t.Fatal(err)
	}
	sig := append(rs.R.FillBytes(make([]byte, 32)), rs.S.FillBytes(make([]byte, 32))...)
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestVerify(t *testing.T) {
	e := newEnv(t)
	good := e.issue(t, nil)
	a, err := keyattest.Verify(context.Background(), []byte(good), e.opts())
	if err != nil {
		t.Fatal(err)
	}
	deviceJWK, _ := jwk.FromRaw(&e.device.PublicKey)
	if !a.Attests(deviceJWK) || a.Nonce != "c-nonce-1" || a.SignerCN != providerCN || a.Issuer != "https://wallet-provider.example" ||
		a.KeyStorage[0] != keyattest.ISO18045High || !a.ExpiresAt.Equal(e.now.Add(time.Hour)) {
		t.Fatalf("attestation %+v", a)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherJWK, _ := jwk.FromRaw(&other.PublicKey)
	if a.Attests(otherJWK) {
		t.Fatal("another key is attested")
	}

	untrustedCA := certstest.NewCA(t)
	untrusted := untrustedCA.Issue(t, providerCN, certstest.WithProfile(certs.ProfileKeyAttestation))
	wrongRole := certstest.NewCA(t)
	expiredCert := certstest.NewCA(t)
	tests := []struct {
		name string
		att  func(t *testing.T) string
		opts func(*keyattest.VerifyOptions)
		want *keyattest.Error
	}{
		{"wrong typ", func(t *testing.T) string {
			return resign(t, good, e.provider, func(h, _ map[string]any) { h["typ"] = "openid4vci-proof+jwt" })
		}, nil, keyattest.ErrType},
		{"alg none", func(t *testing.T) string {
			p := strings.Split(good, ".")
			return base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"key-attestation+jwt","alg":"none","kid":"x"}`)) + "." + p[1] + ".AA"
		}, nil, keyattest.ErrAlg},
		{"HS256", func(t *testing.T) string {
			p := strings.Split(good, ".")
			return base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"key-attestation+jwt","alg":"HS256","kid":"x"}`)) + "." + p[1] + ".AA"
		}, nil, keyattest.ErrAlg},
		{"untrusted provider", func(t *testing.T) string {
			c := e.claims()
			s, err := keyattest.Issue(untrusted, c)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, nil, keyattest.ErrUntrusted},
		{"provider certificate without the key attestation EKU", func(t *testing.T) string {
			s, err := keyattest.Issue(wrongRole.Issue(t, providerCN), e.claims())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, func(o *keyattest.VerifyOptions) {
			o.Trust = wrongRole.TrustList(certs.PurposeWalletProvider, certs.ScopeAny)
		}, keyattest.ErrUntrusted},
		{"provider certificate expired", func(t *testing.T) string {
			s, err := keyattest.Issue(expiredCert.Issue(t, providerCN, certstest.WithProfile(certs.ProfileKeyAttestation), certstest.Expired()), e.claims())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, func(o *keyattest.VerifyOptions) {
			o.Trust = expiredCert.TrustList(certs.PurposeWalletProvider, certs.ScopeAny)
		}, keyattest.ErrExpired},
		{"jwk header instead of a trusted signer", func(t *testing.T) string {
			return resign(t, good, e.device, func(h, _ map[string]any) {
				delete(h, "x5c")
				pub, _ := jwk.FromRaw(&e.device.PublicKey)
				h["jwk"] = pub
			})
		}, nil, keyattest.ErrUntrusted},
		{"x5c leaf spelt with a line break", func(t *testing.T) string {
			return resign(t, good, e.provider, func(h, _ map[string]any) {
				x5c := h["x5c"].([]any)
				x5c[0] = x5c[0].(string)[:64] + "\n" + x5c[0].(string)[64:]
			})
		}, nil, keyattest.ErrMalformed},
		{"signed by another key than the x5c leaf", func(t *testing.T) string {
			return resign(t, good, other, func(map[string]any, map[string]any) {})
		}, nil, keyattest.ErrSignature},
		{"expired", func(t *testing.T) string {
			return e.issue(t, func(c *keyattest.Claims) { c.IssuedAt, c.ExpiresAt = e.now.Add(-2*time.Hour), e.now.Add(-time.Hour) })
		}, nil, keyattest.ErrExpired},
		{"iat in the future", func(t *testing.T) string {
			return e.issue(t, func(c *keyattest.Claims) { c.IssuedAt, c.ExpiresAt = e.now.Add(time.Hour), e.now.Add(2*time.Hour) })
		}, nil, keyattest.ErrNotYetValid},
		{"no exp where required", func(t *testing.T) string {
			return e.issue(t, func(c *keyattest.Claims) { c.ExpiresAt = time.Time{} })
		}, nil, keyattest.ErrMalformed},
		{"no exp and stale", func(t *testing.T) string {
			return e.issue(t, func(c *keyattest.Claims) { c.IssuedAt, c.ExpiresAt = e.now.Add(-time.Hour), time.Time{} })
		}, func(o *keyattest.VerifyOptions) { o.RequireExp = false }, keyattest.ErrExpired},
		{"no iat", func(t *testing.T) string {
			return resign(t, good, e.provider, func(_, c map[string]any) { delete(c, "iat") })
		}, nil, keyattest.ErrMalformed},
		{"iat a string", func(t *testing.T) string {
			return resign(t, good, e.provider, func(_, c map[string]any) { c["iat"] = "yesterday" })
		}, nil, keyattest.ErrMalformed},
		{"attested_keys empty", func(t *testing.T) string {
			return resign(t, good, e.provider, func(_, c map[string]any) { c["attested_keys"] = []any{} })
		}, nil, keyattest.ErrMalformed},
		{"attested key private", func(t *testing.T) string {
			priv, _ := jwk.FromRaw(e.device)
			return resign(t, good, e.provider, func(_, c map[string]any) { c["attested_keys"] = []any{priv} })
		}, nil, keyattest.ErrMalformed},
		{"key_storage empty", func(t *testing.T) string {
			return resign(t, good, e.provider, func(_, c map[string]any) { c["key_storage"] = []any{} })
		}, nil, keyattest.ErrMalformed},
		{"status list not checkable", func(t *testing.T) string {
			return e.issue(t, func(c *keyattest.Claims) {
				c.Status = &statuslist.Reference{Index: 7, URI: "https://wp.example/status/1"}
			})
		}, nil, keyattest.ErrStatusUnchecked},
		{"status list revoked", func(t *testing.T) string {
			return e.issue(t, func(c *keyattest.Claims) {
				c.Status = &statuslist.Reference{Index: 7, URI: "https://wp.example/status/1"}
			})
		}, func(o *keyattest.VerifyOptions) { o.Status = statusOf(1) }, keyattest.ErrRevoked},
		{"status mechanism other than status_list", func(t *testing.T) string {
			return resign(t, good, e.provider, func(_, c map[string]any) { c["status"] = map[string]any{"other_mechanism": map[string]any{"uri": "x"}} })
		}, func(o *keyattest.VerifyOptions) { o.Status = statusOf(0) }, keyattest.ErrStatusUnchecked},
		{"crit header", func(t *testing.T) string {
			return resign(t, good, e.provider, func(h, _ map[string]any) { h["crit"] = []any{"x"}; h["x"] = 1 })
		}, nil, keyattest.ErrMalformed},
		{"x5c and kid", func(t *testing.T) string {
			return resign(t, good, e.provider, func(h, _ map[string]any) { h["kid"] = "k" })
		}, nil, keyattest.ErrUntrusted},
		{"kid of no pinned certificate", func(t *testing.T) string {
			s, err := keyattest.IssueByKID(e.provider, e.claims())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, nil, keyattest.ErrUntrusted},
		{"provider of another iss", func(t *testing.T) string { return good }, func(o *keyattest.VerifyOptions) {
			o.Trust = certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeWalletProvider, Scope: "https://other-provider.example", Roots: e.trust.Anchors()[0].Roots})
		}, keyattest.ErrUntrusted},
		{"not a JWS", func(t *testing.T) string { return "a.b" }, nil, keyattest.ErrMalformed},
		{"oversized", func(t *testing.T) string { return strings.Repeat("a", keyattest.MaxBytes+1) }, nil, keyattest.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := e.opts()
			if tt.opts != nil {
				tt.opts(&o)
			}
			_, err := keyattest.Verify(context.Background(), []byte(tt.att(t)), o)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %s", err, tt.want.Code)
			}
		})
	}
}

// statusOf answers every status list entry with v.
type statusOf uint8

func (s statusOf) Status(context.Context, statuslist.Reference) (uint8, error) { return uint8(s), nil }

func TestVerifyByKIDAndStatus(t *testing.T) {
	e := newEnv(t)
	anchor := e.trust.Anchors()[0]
	anchor.Certs = e.provider.Chain()[:1]
	o := e.opts()
	o.Trust, o.Status = certs.NewTrustList(anchor), statusOf(0)
	s, err := keyattest.IssueByKID(e.provider, e.claims())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyattest.Verify(context.Background(), []byte(s), o); err != nil {
		t.Fatalf("kid of a pinned certificate: %v", err)
	}
	s = e.issue(t, func(c *keyattest.Claims) {
		c.Status = &statuslist.Reference{Index: 3, URI: "https://wp.example/status/1"}
	})
	if _, err := keyattest.Verify(context.Background(), []byte(s), o); err != nil {
		t.Fatalf("valid status: %v", err)
	}
}

func TestPolicy(t *testing.T) {
	moderate, err := keyattest.AtLeast("moderate")
	if err != nil || len(moderate) != 2 || moderate[0] != keyattest.ISO18045High || moderate[1] != keyattest.ISO18045Moderate {
		t.Fatalf("AtLeast(moderate) = %v, %v", moderate, err)
	}
	if _, err := keyattest.AtLeast("strong"); err == nil {
		t.Fatal("unknown level accepted")
	}
	e := newEnv(t)
	tests := []struct {
		name   string
		ks, ua []string
		policy keyattest.Policy
		want   error
	}{
		{"any", nil, nil, keyattest.Policy{}, nil},
		{"high for moderate", []string{keyattest.ISO18045High}, nil, keyattest.Policy{KeyStorage: moderate}, nil},
		{"basic for moderate", []string{keyattest.ISO18045Basic}, nil, keyattest.Policy{KeyStorage: moderate}, keyattest.ErrKeyStorage},
		{"none asserted", nil, nil, keyattest.Policy{KeyStorage: moderate}, keyattest.ErrKeyStorage},
		{"user authentication too weak", []string{keyattest.ISO18045High}, []string{keyattest.ISO18045EnhancedBasic},
			keyattest.Policy{KeyStorage: moderate, UserAuthentication: moderate}, keyattest.ErrUserAuthentication},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := e.issue(t, func(c *keyattest.Claims) { c.KeyStorage, c.UserAuthentication = tt.ks, tt.ua })
			a, err := keyattest.Verify(context.Background(), []byte(s), e.opts())
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.policy.Check(a); !errors.Is(err, tt.want) && (err != nil || tt.want != nil) {
				t.Fatalf("Check: %v, want %v", err, tt.want)
			}
		})
	}
}
