package oid4vp

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
)

// A request object whose x5c leaf is spelt with a line break (which encoding/base64 skips),
// correctly signed by the relying party, is a malformed request: a certificate has one x5c
// spelling.
func TestRequestObjectX5CSpelling(t *testing.T) {
	f := newRP(t)
	ro := f.request(ModeDirectPostJWT)
	opts := ValidateOptions{Trust: f.trust, ClientID: ro.ClientID}
	jwt := f.sign(t, ro, f.signer)
	if _, err := ValidateRequestObject(jwt, opts); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(jwt, ".")
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var hdr map[string]any
	if err := json.Unmarshal(hb, &hdr); err != nil {
		t.Fatal(err)
	}
	x5c := hdr["x5c"].([]any)
	x5c[0] = x5c[0].(string)[:64] + "\r\n" + x5c[0].(string)[64:]
	hb, _ = json.Marshal(hdr)
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + parts[1]
	digest := sha256.Sum256([]byte(input))
	der, err := f.signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		t.Fatal(err)
	}
	sig := append(rs.R.FillBytes(make([]byte, 32)), rs.S.FillBytes(make([]byte, 32))...)
	_, err = ValidateRequestObject(input+"."+base64.RawURLEncoding.EncodeToString(sig), opts)
	if ReasonOf(err) != ReasonMalformedRequest {
		t.Fatalf("err = %v, want reason %s", err, ReasonMalformedRequest)
	}
}
