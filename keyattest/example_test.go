package keyattest_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/keyattest"
)

// The development wallet provider of `idgate certs init` attests a device key; the issuer
// verifies the attestation against trust.json and checks the key storage level it requires.
func Example() {
	dir, _ := os.MkdirTemp("", "pki")
	defer os.RemoveAll(dir)
	pki, _, err := certs.Init(filepath.Join(dir, "pki"), certs.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	provider := pki.WalletProvider
	device, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()

	att, _ := keyattest.Issue(provider, keyattest.Claims{
		IssuedAt: now, ExpiresAt: now.Add(time.Hour), AttestedKeys: []crypto.PublicKey{&device.PublicKey},
		KeyStorage: []string{keyattest.ISO18045High}, Nonce: "c_nonce from the issuer",
	})

	a, err := keyattest.Verify(context.Background(), []byte(att), keyattest.VerifyOptions{
		Trust: pki.Trust, Now: now, RequireExp: true,
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
