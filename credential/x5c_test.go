package credential_test

import (
	"context"
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

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/credential/credentialtest"
)

// TestVerifyRefusesX5CSpelling: encoding/base64 skips CR and LF, so one issuer certificate
// could be sent under many x5c spellings, each a new entry in the chain cache and a new chain
// verification. A credential whose x5c leaf carries a line break, correctly signed by the
// issuer, is malformed, whether or not the canonical spelling is cached.
func TestVerifyRefusesX5CSpelling(t *testing.T) {
	env := credentialtest.New(t)
	v := env.Verifier(t)
	want := credential.Expectation{Audience: "aud", Nonce: "n"}
	h := env.Issue(t, credentialtest.IssueOpts{})
	if _, err := v.Verify(context.Background(), h.Present(t, []string{"given_name"}, "aud", "n", time.Now()), want); err != nil {
		t.Fatal(err)
	}
	for name, respell := range map[string]func(string) string{
		"LF inside":     func(s string) string { return s[:64] + "\n" + s[64:] },
		"CRLF at end":   func(s string) string { return s + "\r\n" },
		"LF before pad": func(s string) string { return strings.TrimRight(s, "=") + "\n" + s[len(strings.TrimRight(s, "=")):] },
	} {
		h2 := env.Issue(t, credentialtest.IssueOpts{})
		h2.Credential = resignX5C(t, h2.Credential, env.Licence, respell)
		_, err := v.Verify(context.Background(), h2.Present(t, []string{"given_name"}, "aud", "n", time.Now()), want)
		if credential.CodeOf(err) != credential.CodeMalformed {
			t.Errorf("%s: err %v (code %s), want %s", name, err, credential.CodeOf(err), credential.CodeMalformed)
		}
	}
}

// resignX5C rewrites the issuer JWS header's x5c[0] and signs it again with the issuer's key,
// so that only the spelling differs.
func resignX5C(t *testing.T, vc string, signer certs.Signer, respell func(string) string) string {
	t.Helper()
	jwsPart, rest, _ := strings.Cut(vc, "~")
	parts := strings.Split(jwsPart, ".")
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var hdr map[string]any
	if err := json.Unmarshal(hb, &hdr); err != nil {
		t.Fatal(err)
	}
	x5c := hdr["x5c"].([]any)
	x5c[0] = respell(x5c[0].(string))
	hb, err = json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + parts[1]
	digest := sha256.Sum256([]byte(input))
	der, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		t.Fatal(err)
	}
	raw := append(sig.R.FillBytes(make([]byte, 32)), sig.S.FillBytes(make([]byte, 32))...)
	return input + "." + base64.RawURLEncoding.EncodeToString(raw) + "~" + rest
}
