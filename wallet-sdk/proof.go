package walletsdk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// proofType is the JWT proof type of OpenID4VCI 1.0 Appendix F.1.
const proofType = "openid4vci-proof+jwt"

// publicJWK returns the P-256 public JWK of a device key signer.
func publicJWK(signer crypto.Signer) (jwk.Key, error) {
	pub, ok := signer.Public().(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, newErr(CodeKeyStore, "device key is not P-256", nil)
	}
	k, err := jwk.FromRaw(pub)
	if err != nil {
		return nil, newErr(CodeKeyStore, "device key to JWK", err)
	}
	return k, nil
}

// buildProof signs the key proof: header {typ, alg ES256, jwk} and, when keyAttestation is not
// empty, key_attestation; claims {aud, iat, nonce}. iss is omitted, as the pre-authorised flow
// with anonymous access has no client_id.
func buildProof(signer crypto.Signer, audience, nonce string, now time.Time, keyAttestation string) (string, error) {
	key, err := publicJWK(signer)
	if err != nil {
		return "", err
	}
	b := jwt.NewBuilder().Audience([]string{audience}).IssuedAt(now)
	if nonce != "" {
		b = b.Claim("nonce", nonce)
	}
	tok, err := b.Build()
	if err != nil {
		return "", newErr(CodeKeyStore, "build proof", err)
	}
	hdr := jws.NewHeaders()
	fields := map[string]any{jws.TypeKey: proofType, jws.JWKKey: key}
	if keyAttestation != "" {
		fields["key_attestation"] = keyAttestation
	}
	for k, v := range fields {
		if err := hdr.Set(k, v); err != nil {
			return "", newErr(CodeKeyStore, "proof header", err)
		}
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256, signer, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", newErr(CodeKeyStore, "sign proof", err)
	}
	return string(signed), nil
}
