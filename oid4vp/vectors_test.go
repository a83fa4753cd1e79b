package oid4vp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// OpenID4VP 1.0 final examples, transcribed from the specification.
var (
	// §7.4 / Appendix D.
	specQueryMDL = `{"credentials":[{"id":"mdl","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},
  "claims":[{"path":["org.iso.18013.5.1","family_name"],"intent_to_retain":false},{"path":["org.iso.18013.5.1","age_over_21"]}]}]}`
	specQueryClaimSets = `{"credentials":[{"id":"pid","format":"dc+sd-jwt","meta":{"vct_values":["urn:eudi:pid:1"]},
  "claims":[{"id":"fn","path":["family_name"]},{"id":"bd","path":["birthdate"]},{"id":"a18","path":["age_equivalents","18"],"values":[true]}],
  "claim_sets":[["a18"],["fn","bd"]]}]}`
	specQueryCredentialSets = `{"credentials":[
  {"id":"mdl","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},
   "trusted_authorities":[{"type":"aki","values":["VPojg6BMKODZMHkiYcgMSIHSwAs"]}],"claims":[{"path":["org.iso.18013.5.1","document_number"]}]},
  {"id":"pid","format":"dc+sd-jwt","meta":{"vct_values":["urn:eudi:pid:1"]},"claims":[{"path":["given_name"]}]},
  {"id":"card","format":"dc+sd-jwt","meta":{"vct_values":["https://shop.example/card"]},"require_cryptographic_holder_binding":false}],
 "credential_sets":[{"options":[["mdl"],["pid"]]},{"required":false,"options":[["card"]]}]}`
	// §7.4: nested paths, null for every array element, and values.
	specQueryNested = `{"credentials":[{"id":"my_credential","format":"dc+sd-jwt","meta":{"vct_values":["https://credentials.example.com/identity_credential"]},
  "claims":[{"path":["last_name"]},{"path":["first_name"]},{"path":["address","street_address"]},{"path":["nationalities",null]},
   {"path":["postal_code"],"values":["90210","90211"]}]}]}`

	// §8.3: a direct_post.jwt response and the key that decrypts it.
	specJWE = "eyJhbGciOiJFQ0RILUVTIiwiZW5jIjoiQTEyOEdDTSIsImtpZCI6ImFjIiwiZXBrIjp7Imt0eSI6IkVDIiwieCI6" +
		"Im5ubVZwbTNWM2piaGNhZlFhUkJrU1ZOSGx3Wkh3dC05ck9wSnVmeVlJdWsiLCJ5IjoicjRmakRxd0p5czlxVU9Q" +
		"LV9iM21SNVNaRy0tQ3dPMm1pYzVWU05UWU45ZyIsImNydiI6IlAtMjU2In19..uAYcHRUSSn2X0WPX.yVzlGSYG4" +
		"qbg0bq18JcUiDRw56yVnbKR8E7S7YlEtzT00RqE3Pw5oTpUG3hdLN4taHZ9gC1kwak8JOnJgQ.1wR024_3-qtAlx" +
		"1oFIUpQQ"
	specJWEKey = map[string]string{
		"x": "YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk",
		"y": "Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk",
		"d": "Et-3ce0omz8_TuZ96Df9lp0GAaaDoUnDe6X-CRO7Aww",
	}

	// B.2.6.1: handover inputs and outputs.
	specHandoverJWK     = JWK{Kty: "EC", Crv: "P-256", X: "DxiH5Q4Yx3UrukE2lWCErq8N8bqC9CHLLrAwLz5BmE0", Y: "XtLM4-3h5o3HUH0MHVJV0kyq0iBlrBwlh8qEDMZ4-Pc", Use: "enc", Alg: "ECDH-ES", KID: "1"}
	specHandoverInfoHex = "847818783530395f73616e5f646e733a6578616d706c652e636f6d782b6578633767" +
		"426b786a7831726463397564527276654b7653734a4971383061766c58654c486847" +
		"7771744158204283ec927ae0f208daaa2d026a814f2b22dca52cf85ffa8f3f8626c6" +
		"bd669047781c68747470733a2f2f6578616d706c652e636f6d2f726573706f6e7365"
	specSessionTranscriptHex = "83f6f682714f70656e494434565048616e646f7665725820048bc053c00442af9b8eed494cefdd9d95240d254b046b11b68013722aad38ac"
)

func specKey(t testing.TB) *EncryptionKey {
	t.Helper()
	d, err := base64.RawURLEncoding.DecodeString(specJWEKey["d"])
	if err != nil {
		t.Fatal(err)
	}
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		t.Fatal(err)
	}
	if j := newEncryptionKey(k).PublicJWK(); j.X != specJWEKey["x"] || j.Y != specJWEKey["y"] {
		t.Fatalf("spec key's public part = %s, %s", j.X, j.Y)
	}
	ek := newEncryptionKey(k)
	ek.KID = "ac"
	return ek
}

func TestSpecJWEDecrypts(t *testing.T) {
	r, err := DecryptResponse(specJWE, specKey(t).DecryptionKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.VPToken["example_credential_id"]; len(got) != 1 || got[0] != "eyJhb...YMetA" {
		t.Fatalf("vp_token = %v", r.VPToken)
	}
	// The same bytes under A256GCM only are refused before any key work.
	if _, err := DecryptResponse(specJWE, specKey(t).DecryptionKey(), []string{EncA256GCM}); ReasonOf(err) != ReasonMalformedResponse {
		t.Fatalf("enc not accepted: err = %v", err)
	}
}

func TestSpecHandover(t *testing.T) {
	tp, err := specHandoverJWK.Thumbprint()
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(tp); got != "4283ec927ae0f208daaa2d026a814f2b22dca52cf85ffa8f3f8626c6bd669047" {
		t.Fatalf("thumbprint = %s", got)
	}
	const clientID, nonce, uri = "x509_san_dns:example.com", "exc7gBkxjx1rdc9udRrveKvSsJIq80avlXeLHhGwqtA", "https://example.com/response"
	info, err := HandoverInfo(clientID, nonce, tp, uri)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(info); got != specHandoverInfoHex {
		t.Fatalf("handover info =\n%s\nwant\n%s", got, specHandoverInfoHex)
	}
	st, err := SessionTranscript(clientID, nonce, tp, uri)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(st); got != specSessionTranscriptHex || len(st) != 56 {
		t.Fatalf("session transcript =\n%s\nwant\n%s", got, specSessionTranscriptHex)
	}
	// Unencrypted responses put null in place of the thumbprint.
	plain, _ := HandoverInfo(clientID, nonce, nil, uri)
	if !strings.Contains(hex.EncodeToString(plain), "7441f6781c") {
		t.Fatalf("null thumbprint not encoded as CBOR null: %x", plain)
	}
}

func TestSpecQueriesParse(t *testing.T) {
	for name, q := range map[string]string{"mdl": specQueryMDL, "claim_sets": specQueryClaimSets, "credential_sets": specQueryCredentialSets, "nested": specQueryNested} {
		t.Run(name, func(t *testing.T) {
			p, err := ParseQuery([]byte(q))
			if err != nil {
				t.Fatal(err)
			}
			// The canonical form parses to the same query.
			b, err := p.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			p2, err := ParseQuery(b)
			if err != nil {
				t.Fatalf("re-parse %s: %v", b, err)
			}
			b2, _ := p2.MarshalJSON()
			if string(b) != string(b2) {
				t.Fatalf("not stable:\n%s\n%s", b, b2)
			}
		})
	}
}
