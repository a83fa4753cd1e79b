package keyattest_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/keyattest"
)

// A wallet provider attests a device key in hardware; the issuer verifies the attestation
// against its trust list and checks the key storage level it requires.
func Example() {
	t := &testing.T{}
	ca := certstest.NewCA(t)
	provider := ca.Issue(t, "wallet provider", certstest.WithProfile(certs.ProfileKeyAttestation))
	device, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()

	att, _ := keyattest.Issue(provider, keyattest.Claims{
		IssuedAt: now, ExpiresAt: now.Add(time.Hour), AttestedKeys: []crypto.PublicKey{&device.PublicKey},
		KeyStorage: []string{keyattest.ISO18045High}, Nonce: "c_nonce from the issuer",
	})

	a, err := keyattest.Verify(context.Background(), []byte(att), keyattest.VerifyOptions{
		Trust: ca.TrustList(certs.PurposeWalletProvider, certs.ScopeAny), Now: now, RequireExp: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	moderate, _ := keyattest.AtLeast("moderate")
	key, _ := jwk.FromRaw(&device.PublicKey)
	fmt.Println(a.Attests(key), keyattest.Policy{KeyStorage: moderate}.Check(a), a.Nonce)
	// Output: true <nil> c_nonce from the issuer
}
