package walletsdk

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/cert"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/sdjwt"
)

// verifyIssued reads the issuer chain from the canonical x5c spelling only: the same
// certificate with a line break (which encoding/base64 skips), correctly signed, is an invalid
// credential.
func TestVerifyIssuedX5CSpelling(t *testing.T) {
	signer := certstest.NewCA(t).Issue(t, "issuer")
	var chain cert.Chain
	for _, s := range certs.EncodeX5C(signer.Chain()) {
		chain.AddString(s)
	}
	raw, err := sdjwt.Issue(map[string]any{"iss": "https://issuer.example", "vct": "urn:x"}, nil,
		sdjwt.IssueOptions{Signer: signer, Header: map[string]any{"typ": "dc+sd-jwt", "x5c": &chain}})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		respell func(string) string
		ok      bool
	}{
		"canonical":   {func(s string) string { return s }, true},
		"line feed":   {func(s string) string { return s[:64] + "\n" + s[64:] }, false},
		"CRLF at end": {func(s string) string { return s + "\r\n" }, false},
	} {
		_, err := verifyIssued(respellLeaf(t, raw, signer, c.respell), time.Now())
		if c.ok && err != nil || !c.ok && CodeOf(err) != CodeInvalidCredential {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// respellLeaf rewrites x5c[0] of the issuer JWS header and signs it again (ES256).
func respellLeaf(t *testing.T, sdJWT string, key crypto.Signer, respell func(string) string) string {
	t.Helper()
	jwsPart, rest, _ := strings.Cut(sdJWT, "~")
	parts := strings.Split(jwsPart, ".")
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var hdr map[string]any
	if err := json.Unmarshal(hb, &hdr); err != nil {
		t.Fatal(err)
	}
	x5c := hdr["x5c"].([]any)
	x5c[0] = respell(x5c[0].(string))
	hb, _ = json.Marshal(hdr)
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + parts[1]
	digest := sha256.Sum256([]byte(input))
	der, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		t.Fatal(err)
	}
	sig := append(rs.R.FillBytes(make([]byte, 32)), rs.S.FillBytes(make([]byte, 32))...)
	return input + "." + base64.RawURLEncoding.EncodeToString(sig) + "~" + rest
}
