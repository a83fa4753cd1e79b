package mobile_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
	"github.com/idgate/idgate/wallet-sdk/mobile"
)

// The calls a Swift or Kotlin app makes through the gomobile binding.
func Example() {
	iss, stop := oid4vcitest.Start()
	defer stop()
	dir, _ := os.MkdirTemp("", "wallet")
	defer os.RemoveAll(dir)
	key := make([]byte, 32) // from the Keychain / Android Keystore
	rand.Read(key)

	w, err := mobile.OpenWallet(dir, key, nil)
	if err != nil {
		panic(err)
	}
	_, err = w.AcceptOffer(iss.OfferURI(), "")
	fmt.Println("without tx code:", mobile.ErrorCode(err))

	idsJSON, err := w.AcceptOffer(iss.OfferURI(), iss.TxCode)
	if err != nil {
		panic(err)
	}
	var ids []string
	json.Unmarshal([]byte(idsJSON), &ids)
	fmt.Println("credentials:", len(ids))

	list, err := w.ListJSON()
	if err != nil {
		panic(err)
	}
	var items []struct {
		VCT    string         `json:"vct"`
		Claims map[string]any `json:"claims"`
	}
	json.Unmarshal([]byte(list), &items)
	fmt.Println("list:", items[0].VCT, items[0].Claims["given_name"])

	pres, err := w.Present(ids[0], []byte(`{"id":"r1","nonce":"abc","audience":"https://rp.example.org","claims":["family_name"]}`))
	if err != nil {
		panic(err)
	}
	fmt.Println("presentation parts:", strings.Count(pres, "~")+1) // issuer JWT, 1 disclosure, KB-JWT

	_, err = w.Present(ids[0], []byte(`{"nonce":"abc"}`))
	fmt.Println("bad request:", mobile.ErrorCode(err))
	// Output:
	// without tx code: tx_code_required
	// credentials: 1
	// list: urn:idgate:vct:government-employee-id:1 Erika
	// presentation parts: 3
	// bad request: invalid_request
}
