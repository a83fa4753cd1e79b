package credential_test

import (
	"context"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
)

// TestVerifyRefusesSignerWithoutCredentialProfile: a credential signed by a certificate under
// the trusted root, with the allowed name, but not of the credential signer profile (a TLS
// server certificate, the status list signer's profile, no digitalSignature) is refused as an
// untrusted issuer; its twin with the profile verifies.
func TestVerifyRefusesSignerWithoutCredentialProfile(t *testing.T) {
	env := credentialtest.New(t)
	v := env.Verifier(t)
	for _, tc := range []struct {
		name string
		opt  certstest.Option
		want error
	}{
		{"credential signer profile", certstest.WithProfile(certs.ProfileCredentialSigner), nil},
		{"serverAuth only", certstest.WithExtKeyUsage(x509.ExtKeyUsageServerAuth), certs.ErrExtKeyUsage},
		{"status list signer profile", certstest.WithProfile(certs.ProfileStatusListSigner), certs.ErrExtKeyUsage},
		{"no digitalSignature", certstest.WithKeyUsage(x509.KeyUsageContentCommitment), certs.ErrKeyUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := env.CA.Issue(t, certs.CNIssuerMDL, certstest.WithURI(credentialtest.IssuerURL), tc.opt)
			h := env.Issue(t, credentialtest.IssueOpts{Signer: s})
			pres := h.Present(t, []string{"given_name"}, "aud", "n", time.Now())
			_, err := v.Verify(context.Background(), pres, credential.Expectation{Audience: "aud", Nonce: "n"})
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != nil && (credential.CodeOf(err) != credential.CodeUntrustedIssuer || !errors.Is(err, tc.want)):
				t.Fatalf("err %v (code %s), want %s wrapping %v", err, credential.CodeOf(err), credential.CodeUntrustedIssuer, tc.want)
			}
		})
	}
}
