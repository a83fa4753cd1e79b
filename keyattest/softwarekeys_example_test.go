package keyattest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/keyattest"
)

// A development wallet's software key store, attested by the development wallet provider of
// `idgate certs init`: the issuer finds the key under the alias attested at key_storage basic.
func ExampleSoftwareKeys() {
	dir, _ := os.MkdirTemp("", "pki")
	defer os.RemoveAll(dir)
	pki, _, err := certs.Init(filepath.Join(dir, "pki"), certs.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	keys := &keyattest.SoftwareKeys{Provider: pki.WalletProvider, KeyStorage: []string{keyattest.ISO18045Basic}}
	if _, err := keys.GenerateP256("device"); err != nil {
		fmt.Println(err)
		return
	}
	att, err := keys.AttestKey("device", "c_nonce from the issuer")
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := keyattest.Verify(context.Background(), []byte(att), keyattest.VerifyOptions{Trust: pki.Trust, Now: time.Now(), RequireExp: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	pub, _ := keys.PublicKey("device")
	key, _ := jwk.FromRaw(pub)
	_, unknown := keys.AttestKey("other", "n")
	fmt.Println(a.Attests(key), a.KeyStorage, a.Nonce, unknown != nil)
	// Output: true [iso_18045_basic] c_nonce from the issuer true
}
