package oid4vp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"time"

	"github.com/idgate/idgate/certs"
)

// SignRequestObject signs ro as a JAR (RFC 9101) with ES256: header typ
// oauth-authz-req+jwt and x5c = signer.Chain() (leaf first, no trust anchor, as HAIP asks).
// It fills aud (SelfIssuedAudience) and iat/exp (lifetime from now) when they are zero.
func SignRequestObject(ro *RequestObject, signer certs.Signer, now time.Time, lifetime time.Duration) (string, error) {
	pub, ok := signer.Public().(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return "", errorf(InvalidRequest, "", "request signer is not an ECDSA P-256 key")
	}
	if len(signer.Chain()) == 0 {
		return "", errorf(InvalidRequest, "", "request signer has no certificate chain")
	}
	if ro.Audience == "" {
		ro.Audience = SelfIssuedAudience
	}
	if ro.IssuedAt == 0 {
		ro.IssuedAt = now.Unix()
	}
	if ro.ExpiresAt == 0 {
		ro.ExpiresAt = now.Add(lifetime).Unix()
	}
	hdr, err := json.Marshal(map[string]any{"alg": "ES256", "typ": RequestObjectType, "x5c": certs.EncodeX5C(signer.Chain())})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(ro)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	der, err := signer.Sign(rand.Reader, digest[:], nil)
	if err != nil {
		return "", wrapf(InvalidRequest, "", err, "sign request object")
	}
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) > 0 {
		return "", errorf(InvalidRequest, "", "signer returned a malformed ECDSA signature")
	}
	raw := make([]byte, 64)
	sig.R.FillBytes(raw[:32])
	sig.S.FillBytes(raw[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(raw), nil
}

// verifyES256 checks a raw r||s ES256 signature over input.
func verifyES256(pub *ecdsa.PublicKey, input string, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	digest := sha256.Sum256([]byte(input))
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	return ecdsa.Verify(pub, digest[:], r, s)
}
