package credential_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/sdjwt"
	"github.com/idgate/idgate/statuslist"
	"github.com/lestrrat-go/jwx/v2/jwa"
)

// An issuer signs a government-employee ID bound to the holder's device key;
// the holder presents only given_name to a relying party, which verifies the
// chain against its trust list, the key binding and the status list entry.
// Revoking the entry makes the same kind of presentation fail.
func Example() {
	dir, _ := os.MkdirTemp("", "idgate-example-")
	defer os.RemoveAll(dir)
	pki, _, err := certs.Init(dir, certs.Options{
		IssuerURL:   "https://issuer.example",
		EmployeeVCT: credential.VCTEmployeeID,
		LicenceVCT:  credential.VCTDrivingLicence,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Now()
	holder, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	status := statusLists{"https://issuer.example/status/1": mustList(1024)}

	// Issuer: validate the enrolment, then sign.
	subject, err := credential.SubjectClaims(credential.EmployeeID, map[string]any{
		"family_name": "Doe", "given_name": "Jane", "birth_date": "1990-04-01",
		"employee_number": "E-1234", "organisation": "Ministry of Transport",
	}, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	vc, err := credential.Issue(credential.IssueRequest{
		Type:      credential.EmployeeID,
		Issuer:    "https://issuer.example",
		Subject:   subject,
		HolderKey: &holder.PublicKey,
		Status:    credential.StatusRef{Index: 7, URI: "https://issuer.example/status/1"},
		IssuedAt:  now,
		ExpiresAt: now.Add(365 * 24 * time.Hour),
	}, pki.EmployeeIssuer)
	if err != nil {
		fmt.Println(err)
		return
	}

	// Relying party and holder.
	verifier, err := credential.NewVerifier(credential.VerifierConfig{Trust: pki.Trust, Status: status})
	if err != nil {
		fmt.Println(err)
		return
	}
	want := credential.Expectation{Audience: "https://rp.example", Nonce: "n-1", Claims: []string{"given_name"}}
	res, err := verifier.Verify(context.Background(), present(vc, holder, want, now), want)
	if err != nil {
		fmt.Println(credential.CodeOf(err))
		return
	}
	fmt.Println(res.Type, res.Claims)

	// The issuer revokes the credential: its entry in the list becomes Invalid.
	_ = status["https://issuer.example/status/1"].Set(7, statuslist.Invalid)
	want.Nonce = "n-2"
	_, err = verifier.Verify(context.Background(), present(vc, holder, want, now), want)
	fmt.Println(credential.CodeOf(err))
	// Output:
	// employee-id map[given_name:Jane]
	// revoked
}

// present is the holder's side (the wallet SDK does this): keep only the
// requested claims and sign a KB-JWT over the relying party's audience and nonce.
func present(vc string, holder *ecdsa.PrivateKey, want credential.Expectation, at time.Time) string {
	tok, err := sdjwt.Parse(vc)
	if err != nil {
		return ""
	}
	paths := make([]string, len(want.Claims))
	for i, c := range want.Claims {
		paths[i] = "/" + c
	}
	shown, err := tok.Present(paths)
	if err != nil {
		return ""
	}
	p, _ := sdjwt.AddKeyBinding(shown.String(), holder, jwa.ES256, want.Audience, want.Nonce, at)
	return p
}

// statusLists answers status entries from lists held in memory; a relying
// party uses statuslist.Checker, which fetches and verifies the signed lists.
type statusLists map[string]*statuslist.List

func (s statusLists) Status(_ context.Context, ref statuslist.Reference) (uint8, error) {
	l, ok := s[ref.URI]
	if !ok {
		return 0, statuslist.ErrUnavailable
	}
	return l.Get(ref.Index)
}

func mustList(size int) *statuslist.List {
	l, err := statuslist.New(2, size)
	if err != nil {
		panic(err)
	}
	return l
}
