package sdjwt_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/idgate/idgate/sdjwt"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// The whole life of an SD-JWT: the issuer makes two claims selectively
// disclosable and binds the token to the holder's key; the holder discloses
// one of them to a verifier and signs a Key Binding JWT over the verifier's
// audience and nonce; the verifier checks everything and sees only what was
// disclosed.
func Example() {
	issuerKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	holderKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	// Issuer.
	token, err := sdjwt.Issue(map[string]any{
		"iss":         "https://issuer.example",
		"given_name":  "Jane",
		"age_over_18": true,
		"cnf":         holderCnf(&holderKey.PublicKey),
	}, []string{"/given_name", "/age_over_18"}, sdjwt.IssueOptions{
		Signer: issuerKey,
		Header: map[string]any{"typ": "dc+sd-jwt"},
		Decoys: 2,
	})
	if err != nil {
		fmt.Println("issue:", err)
		return
	}

	// Holder: keep only age_over_18, then bind to the verifier's request.
	parsed, err := sdjwt.Parse(token)
	if err != nil {
		fmt.Println("parse:", err)
		return
	}
	shown, err := parsed.Present([]string{"/age_over_18"})
	if err != nil {
		fmt.Println("present:", err)
		return
	}
	now := time.Now()
	presentation, err := sdjwt.AddKeyBinding(shown.String(), holderKey, jwa.ES256,
		"https://rp.example", "n-0S6_WzA2Mj", now)
	if err != nil {
		fmt.Println("key binding:", err)
		return
	}

	// Verifier.
	v, err := sdjwt.Verify(presentation, sdjwt.VerifyOptions{
		IssuerKey: func(jws.Headers) (crypto.PublicKey, error) { return &issuerKey.PublicKey, nil },
		KeyBinding: &sdjwt.KBOptions{
			Required: true,
			Audience: "https://rp.example",
			Nonce:    "n-0S6_WzA2Mj",
			Now:      now,
		},
	})
	if err != nil {
		fmt.Println("verify:", sdjwt.ErrorCode(err))
		return
	}
	_, nameShown := v.Claims["given_name"]
	fmt.Println("age_over_18:", v.Claims["age_over_18"])
	fmt.Println("given_name disclosed:", nameShown)
	fmt.Println("key binding nonce:", v.KeyBinding["nonce"])

	// The same presentation for another verifier fails with a stable code.
	_, err = sdjwt.Verify(presentation, sdjwt.VerifyOptions{
		IssuerKey: func(jws.Headers) (crypto.PublicKey, error) { return &issuerKey.PublicKey, nil },
		KeyBinding: &sdjwt.KBOptions{
			Required: true,
			Audience: "https://other.example",
			Nonce:    "n-0S6_WzA2Mj",
			Now:      now,
		},
	})
	fmt.Println("other audience:", sdjwt.ErrorCode(err))
	// Output:
	// age_over_18: true
	// given_name disclosed: false
	// key binding nonce: n-0S6_WzA2Mj
	// other audience: kb_aud
}

// holderCnf is the cnf claim (RFC 7800) naming the holder's public key as a JWK.
func holderCnf(pub *ecdsa.PublicKey) map[string]any {
	pt, _ := pub.Bytes() // 0x04 || X || Y
	b64 := base64.RawURLEncoding
	return map[string]any{"jwk": map[string]any{"kty": "EC", "crv": "P-256",
		"x": b64.EncodeToString(pt[1:33]), "y": b64.EncodeToString(pt[33:])}}
}
