package credential_test

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/credential/credentialtest"
)

// The issuer-signed JWT names its key by the RFC 7638 thumbprint, the kid of the issuer's JWKS.
func TestIssuedHeaderKID(t *testing.T) {
	env := credentialtest.New(t)
	h := env.Issue(t, credentialtest.IssueOpts{})
	hb, err := base64.RawURLEncoding.DecodeString(strings.SplitN(h.Credential, ".", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	var hdr map[string]any
	if err := json.Unmarshal(hb, &hdr); err != nil {
		t.Fatal(err)
	}
	k, err := jwk.FromRaw(env.Licence.Public())
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := k.Thumbprint(crypto.SHA256)
	if hdr["kid"] != base64.RawURLEncoding.EncodeToString(tp) {
		t.Fatalf("kid %v, want the signer's thumbprint", hdr["kid"])
	}
}
