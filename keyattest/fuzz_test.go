package keyattest_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/idgate/idgate/keyattest"
)

// specExample is the decoded key attestation of OpenID4VCI 1.0 Appendix D.1 (header and body;
// the spec's x5c is elided there, so one certificate of the test CA stands in).
const specExampleClaims = `{"iss":"<identifier of the issuer of this key attestation>","iat":1516247022,"exp":1541493724,` +
	`"key_storage":["iso_18045_moderate"],"user_authentication":["iso_18045_moderate"],"attested_keys":[{"kty":"EC","crv":"P-256",` +
	`"x":"TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc","y":"ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"}]}`

// FuzzParse feeds Parse and Verify untrusted bytes: no panic, and whatever parses holds the
// invariants the issuer relies on. Seeds: a valid attestation made here, the spec's example
// claims, and variants by kid and with a status list.
func FuzzParse(f *testing.F) {
	e := newEnv(f)
	f.Add([]byte(e.issue(f, nil)))
	f.Add([]byte(e.issue(f, func(c *keyattest.Claims) { c.Nonce, c.Certification = "", "https://cert.example/1" })))
	s, err := keyattest.IssueByKID(e.provider, e.claims())
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(s))
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"key-attestation+jwt","alg":"ES256","x5c":["` +
		base64.StdEncoding.EncodeToString(e.provider.Chain()[0].Raw) + `"]}`))
	f.Add([]byte(hdr + "." + base64.RawURLEncoding.EncodeToString([]byte(specExampleClaims)) + ".c2ln"))
	opts := e.opts()
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := keyattest.Parse(b)
		if err != nil {
			if _, ok := err.(*keyattest.Error); !ok {
				t.Fatalf("untyped error %T", err)
			}
			return
		}
		if len(a.AttestedKeys) == 0 || a.IssuedAt.IsZero() || (a.KeyID == "") == (len(a.X5C) == 0) {
			t.Fatalf("parsed attestation breaks invariants: %+v", a)
		}
		if _, err := keyattest.Verify(context.Background(), b, opts); err != nil {
			if _, ok := err.(*keyattest.Error); !ok {
				t.Fatalf("untyped error %T", err)
			}
		}
	})
}
