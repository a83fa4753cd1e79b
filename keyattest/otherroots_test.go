package keyattest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/keyattest"
)

// A trust list holds more than wallet providers: the credential issuers' root, the IACAs. A
// key attestation signer under any of those, of the key attestation profile and with the
// wallet provider's name, is still not a wallet provider.
func TestVerifyOnlyWalletProviderRoots(t *testing.T) {
	e := newEnv(t)
	issuerRoot, iaca, statusRoot := certstest.NewCA(t), certstest.NewCA(t), certstest.NewCA(t)
	trust := certs.NewTrustList(append(e.trust.Anchors(),
		issuerRoot.Anchor(certs.PurposeCredential, certs.ScopeAny),
		iaca.Anchor(certs.PurposeMdoc, "org.iso.18013.5.1.mDL"),
		statusRoot.Anchor(certs.PurposeStatusList, certs.ScopeAny))...)
	opts := e.opts()
	opts.Trust = trust
	if _, err := keyattest.Verify(context.Background(), []byte(e.issue(t, nil)), opts); err != nil {
		t.Fatalf("the wallet provider's own attestation: %v", err)
	}
	for _, tc := range []struct {
		name string
		ca   *certstest.CA
	}{
		{"under the credential issuers' root", issuerRoot},
		{"under an IACA", iaca},
		{"under the status list root", statusRoot},
		{"under an intermediate of the credential issuers' root", issuerRoot.Intermediate(t, "issuing CA")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			impostor := &env{now: e.now, device: e.device, trust: trust,
				provider: tc.ca.Issue(t, providerCN, certstest.WithProfile(certs.ProfileKeyAttestation))}
			_, err := keyattest.Verify(context.Background(), []byte(impostor.issue(t, nil)), opts)
			if !errors.Is(err, keyattest.ErrUntrusted) {
				t.Fatalf("err = %v, want untrusted", err)
			}
		})
	}
}
