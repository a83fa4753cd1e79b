package mdoc_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
)

// An mDL issued under the development PKI's Document Signer, presented with two elements and
// verified against the PKI's trust list (the IACA trusted for the mDL docType).
func Example() {
	dir, _ := os.MkdirTemp("", "pki")
	defer os.RemoveAll(dir)
	pki, _, err := certs.Init(filepath.Join(dir, "pki"), certs.Options{})
	if err != nil {
		panic(err)
	}
	device, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	issuerSigned, err := mdoc.Issue(mdoc.IssueInput{
		DocType: mdoc.DocTypeMDL,
		NameSpaces: map[string]map[string]any{mdoc.NamespaceMDL: {
			"family_name": "Mustermann", "birth_date": mdoc.FullDate("1984-08-12"), "age_over_19": true,
		}},
		DeviceKey: &device.PublicKey, Signed: now, ValidFrom: now, ValidUntil: now.AddDate(1, 0, 0),
		Status: &mdoc.StatusListRef{Idx: 3, URI: "http://localhost:8081/status/1"},
	}, pki.MDLDocumentSigner)
	if err != nil {
		panic(err)
	}
	// The verifier computes the transcript itself (OpenID4VP: oid4vp.SessionTranscript).
	transcript, _ := cbor.Marshal([]any{nil, nil, []any{"OpenID4VPHandover", make([]byte, 32)}})
	resp, err := mdoc.Present(issuerSigned, mdoc.Request{mdoc.NamespaceMDL: {"family_name", "age_over_19"}}, transcript, device)
	if err != nil {
		panic(err)
	}
	v := &mdoc.Verifier{Trust: pki.Trust}
	got, err := v.Verify(resp, mdoc.VerifyOptions{DocType: mdoc.DocTypeMDL, SessionTranscript: transcript})
	if err != nil {
		panic(err)
	}
	name, _ := got.Value(mdoc.NamespaceMDL, "family_name")
	age, _ := got.Value(mdoc.NamespaceMDL, "age_over_19")
	_, birth := got.Value(mdoc.NamespaceMDL, "birth_date")
	fmt.Println(name, age, birth, got.Signer.Subject.CommonName, got.MSO.Status.StatusList.Idx)
	// Output: Mustermann true false idgate mDL Document Signer 3
}
