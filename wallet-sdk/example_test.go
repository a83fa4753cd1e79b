package walletsdk_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"fmt"
	"os"
	"sort"

	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/sdjwt"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
)

// A wallet receives an employee ID over OpenID4VCI from an (in-process) issuer, then presents
// only the given name to a relying party, which verifies the SD-JWT and its key binding.
func Example() {
	iss, stop := oid4vcitest.Start()
	defer stop()
	dir, _ := os.MkdirTemp("", "wallet")
	defer os.RemoveAll(dir)

	storeKey := make([]byte, 32) // from the platform keychain in an app
	rand.Read(storeKey)
	w, err := walletsdk.New(walletsdk.Config{Dir: dir, StoreKey: storeKey})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	creds, err := w.AcceptOffer(ctx, iss.OfferURI(), iss.TxCode)
	if err != nil {
		panic(err)
	}
	c := creds[0]
	fmt.Println("received:", c.VCT, c.Claims["given_name"], c.Claims["family_name"])
	fmt.Println("disclosable:", c.Disclosable)

	// The verifier's POST /v1/presentation-requests answer.
	req, err := walletsdk.ParsePresentationRequest([]byte(`{"id":"r1","nonce":"n-0S6_WzA2Mj",
		"audience":"https://rp.example.org","vct":"urn:idgate:vct:government-employee-id:1","claims":["given_name"]}`))
	if err != nil {
		panic(err)
	}
	pres, err := w.Present(ctx, c.ID, req)
	if err != nil {
		panic(err)
	}

	// What the relying party sees.
	v, err := sdjwt.Verify(pres, sdjwt.VerifyOptions{
		IssuerKey:  func(jws.Headers) (crypto.PublicKey, error) { return &iss.CA.LeafKey.PublicKey, nil },
		KeyBinding: &sdjwt.KBOptions{Required: true, Audience: req.Audience, Nonce: req.Nonce},
	})
	if err != nil {
		panic(err)
	}
	var names []string
	for k := range v.Claims {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Println("verifier sees:", names)
	fmt.Println("given_name:", v.Claims["given_name"])

	_, err = w.Present(ctx, c.ID, walletsdk.PresentationRequest{Audience: req.Audience, Nonce: "x", Claims: []string{"passport_number"}})
	fmt.Println("missing claim:", walletsdk.CodeOf(err))
	// Output:
	// received: urn:idgate:vct:government-employee-id:1 Erika Mustermann
	// disclosable: [address birth_date family_name given_name]
	// verifier sees: [cnf exp given_name iat iss vct]
	// given_name: Erika
	// missing claim: claim_not_available
}
