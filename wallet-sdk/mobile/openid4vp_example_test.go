package mobile_test

import (
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vptest"
	"github.com/idgate/idgate/wallet-sdk/mobile"
)

// An app scans an openid4vp:// QR code, shows the consent screen from the preview JSON and
// answers with the holder's choice.
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
	key := make([]byte, 32)
	rand.Read(key)

	roots := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rp.Root.Raw}) // shipped with the app
	w, err := mobile.OpenWalletWithRoots(dir, key, roots, nil, nil)
	if err != nil {
		panic(err)
	}
	if _, err := w.AcceptOffer(iss.OfferURI(), iss.TxCode); err != nil {
		panic(err)
	}

	tx, _ := rp.Create(`{"credentials":[{"id":"employee","format":"dc+sd-jwt",
		"meta":{"vct_values":["`+oid4vcitest.VCT+`"]},"claims":[{"path":["family_name"]}]}]}`, oid4vp.ModeDirectPostJWT, "post")
	preview, err := w.ResolveVP(rp.LinkFor(tx))
	if err != nil {
		panic(err)
	}
	var p struct {
		RequestID string `json:"request_id"`
		Verifier  struct{ ClientID string }
		Queries   []struct {
			ID         string `json:"id"`
			Candidates []struct {
				CredentialID string `json:"credential_id"`
				Disclosed    []struct {
					Path   json.RawMessage `json:"path"`
					Values []any           `json:"values"`
				} `json:"disclosed"`
			} `json:"candidates"`
		} `json:"queries"`
	}
	json.Unmarshal([]byte(preview), &p)
	c := p.Queries[0].Candidates[0]
	fmt.Println("verifier:", p.Verifier.ClientID)
	fmt.Println("query:", p.Queries[0].ID, "discloses", string(c.Disclosed[0].Path), c.Disclosed[0].Values)

	choice, _ := json.Marshal(map[string]string{"employee": c.CredentialID})
	res, err := w.RespondVP(p.RequestID, string(choice))
	if err != nil {
		panic(err)
	}
	fmt.Println("redirect carries a response code:", strings.Contains(res, "response_code="))
	fmt.Println("verifier read:", rp.Get(tx.ID).Claims["employee"]["family_name"])

	_, err = w.RespondVP(p.RequestID, "")
	fmt.Println("answered twice:", mobile.ErrorCode(err))
	// Output:
	// verifier: x509_san_dns:localhost
	// query: employee discloses ["family_name"] [Mustermann]
	// redirect carries a response code: true
	// verifier read: Mustermann
	// answered twice: not_found
}
