package walletsdk_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"

	"github.com/idgate/idgate/oid4vp"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vptest"
)

// A relying party asks, over OpenID4VP with a DCQL query, for the holder's family name; the
// wallet resolves the link, shows who asks and what would be disclosed, and answers.
func ExampleWallet_ResolveVP() {
	iss, stopIssuer := oid4vcitest.Start()
	defer stopIssuer()
	rp, stopRP, err := oid4vptest.New()
	if err != nil {
		panic(err)
	}
	defer stopRP()
	rp.IssuerKey = &iss.CA.LeafKey.PublicKey
	dir, _ := os.MkdirTemp("", "wallet")
	defer os.RemoveAll(dir)
	storeKey := make([]byte, 32)
	rand.Read(storeKey)
	w, err := walletsdk.New(walletsdk.Config{Dir: dir, StoreKey: storeKey, VerifierTrust: rp.Trust})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	if _, err := w.AcceptOffer(ctx, iss.OfferURI(), iss.TxCode); err != nil {
		panic(err)
	}

	tx, _ := rp.Create(`{"credentials":[{"id":"employee","format":"dc+sd-jwt",
		"meta":{"vct_values":["`+oid4vcitest.VCT+`"]},"claims":[{"path":["family_name"]}]}]}`, oid4vp.ModeDirectPostJWT, "get")
	req, err := w.ResolveVP(ctx, rp.LinkFor(tx)) // openid4vp://?client_id=…&request_uri=…
	if err != nil {
		panic(err)
	}
	fmt.Println("who asks:", req.Verifier.ClientID, req.Verifier.DNSNames)
	for _, q := range req.Queries {
		c := q.Candidates[0]
		fmt.Println("query", q.ID, "answered by", c.VCT)
		for _, d := range c.Disclosed {
			fmt.Println("  discloses", d.Path, d.Values)
		}
		fmt.Println("  always visible", c.AlwaysVisible)
	}
	res, err := w.RespondVP(ctx, req, nil) // the holder consented; nil: first candidates
	if err != nil {
		panic(err)
	}
	fmt.Println("redirect_uri returned:", res.RedirectURI != "")
	fmt.Println("verifier read:", rp.Get(tx.ID).Claims["employee"]["family_name"])
	// Output:
	// who asks: x509_san_dns:localhost [localhost]
	// query employee answered by urn:idgate:vct:government-employee-id:1
	//   discloses ["family_name"] [Mustermann]
	//   always visible []
	// redirect_uri returned: true
	// verifier read: Mustermann
}
