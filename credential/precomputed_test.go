package credential_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/sdjwt"
)

// issuerLeaf returns the certificate in the first x5c entry of a presentation's header.
func issuerLeaf(t *testing.T, pres string) *x509.Certificate {
	t.Helper()
	hdr, err := base64.RawURLEncoding.DecodeString(strings.Split(pres, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ X5C []string }
	if err := json.Unmarshal(hdr, &h); err != nil || len(h.X5C) == 0 {
		t.Fatalf("header %s: %v", hdr, err)
	}
	der, _ := base64.StdEncoding.DecodeString(h.X5C[0])
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestVerifyPrecomputedIssuerKey: once the trust list has accepted an issuer's chain it builds
// a precomputed verifier for the issuer key (certs/es256), and the next presentations are
// checked through it: valid ones pass, a forged issuer signature still fails.
func TestVerifyPrecomputedIssuerKey(t *testing.T) {
	env := credentialtest.New(t)
	v := env.Verifier(t)
	exp := credential.Expectation{Audience: "aud", Nonce: "n"}
	first := env.Issue(t, credentialtest.IssueOpts{}).Present(t, []string{"given_name"}, "aud", "n", time.Now())
	if _, err := v.Verify(context.Background(), first, exp); err != nil {
		t.Fatal(err)
	}
	leaf := issuerLeaf(t, first)
	deadline := time.Now().Add(20 * time.Second)
	for env.Trust.ES256Key(leaf.PublicKey) == nil {
		if time.Now().After(deadline) {
			t.Fatal("no precomputed key for an accepted issuer within 20 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	pres := env.Issue(t, credentialtest.IssueOpts{}).Present(t, []string{"given_name"}, "aud", "n", time.Now())
	if _, err := v.Verify(context.Background(), pres, exp); err != nil {
		t.Fatalf("through the precomputed key: %v", err)
	}
	// Forge: flip one bit of the issuer signature (the third dot-separated part of the JWT).
	jwt, rest, _ := strings.Cut(pres, "~")
	i := strings.LastIndexByte(jwt, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(jwt[i+1:])
	sig[5] ^= 1
	forged := jwt[:i+1] + base64.RawURLEncoding.EncodeToString(sig) + "~" + rest
	if _, err := v.Verify(context.Background(), forged, exp); credential.CodeOf(err) != credential.Code(sdjwt.CodeSignatureInvalid) {
		t.Fatalf("forged issuer signature: %v, want %s", err, sdjwt.CodeSignatureInvalid)
	}
}
