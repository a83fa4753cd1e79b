package sdjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/sha512"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/internal/b64url"
)

// DefaultAllowedAlgs is the verifier allow-list when none is configured.
// "none" and HS* can never be allowed (see algPermitted).
var defaultAllowedAlgs = []jwa.SignatureAlgorithm{jwa.ES256, jwa.ES384, jwa.ES512, jwa.EdDSA}

// compact is one JWS in compact serialization, split and decoded
// (RFC 7515 §7.1). signingInput aliases the original string.
type compact struct {
	header, payload, sig []byte
	signingInput         string
}

// parseCompact splits "h.p.s" and decodes all three parts strictly.
func parseCompact(s string) (*compact, error) {
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return nil, newErr(CodeMalformed, "JWS needs three parts")
	}
	j := strings.IndexByte(s[i+1:], '.')
	if j < 0 {
		return nil, newErr(CodeMalformed, "JWS needs three parts")
	}
	j += i + 1
	if strings.IndexByte(s[j+1:], '.') >= 0 {
		return nil, newErr(CodeMalformed, "JWS has more than three parts")
	}
	c := &compact{signingInput: s[:j]}
	var err error
	if c.header, err = b64url.Decode(s[:i]); err != nil || len(c.header) == 0 {
		return nil, wrapErr(CodeMalformed, "JWS header is not base64url", err)
	}
	if c.payload, err = b64url.Decode(s[i+1 : j]); err != nil || len(c.payload) == 0 {
		return nil, wrapErr(CodeMalformed, "JWS payload is not base64url", err)
	}
	// An empty signature is left to verifySig, so that {"alg":"none"} tokens
	// are refused by the alg allow-list (alg_not_allowed), not as malformed.
	if c.sig, err = b64url.Decode(s[j+1:]); err != nil {
		return nil, wrapErr(CodeMalformed, "JWS signature is not base64url", err)
	}
	return c, nil
}

// algPermitted checks alg against the allow-list. Symmetric and unsigned
// algorithms are refused even if a caller lists them: the issuer/holder key
// is public, so HS* with it as secret is a forgery, and none is no signature.
func algPermitted(alg jwa.SignatureAlgorithm, allowed []jwa.SignatureAlgorithm) bool {
	switch alg {
	case jwa.ES256, jwa.ES384, jwa.ES512, jwa.EdDSA:
	default:
		return false
	}
	if len(allowed) == 0 {
		allowed = defaultAllowedAlgs
	}
	for _, a := range allowed {
		if a == alg {
			return true
		}
	}
	return false
}

// rawPublicKey unwraps a jwk.Key or a private key to the crypto public key.
func rawPublicKey(k crypto.PublicKey) (crypto.PublicKey, error) {
	switch v := k.(type) {
	case jwk.Key:
		pk, err := v.PublicKey()
		if err != nil {
			return nil, err
		}
		var raw any
		if err := pk.Raw(&raw); err != nil {
			return nil, err
		}
		return raw, nil
	case ecdsa.PublicKey:
		return &v, nil
	case *ecdsa.PrivateKey:
		return &v.PublicKey, nil
	case ed25519.PrivateKey:
		return v.Public(), nil
	}
	return k, nil
}

// ES256Verifier is an issuer key that verifies ES256 itself: certs/es256's precomputed keys,
// which a ResolveKey may return for trusted issuers. sig is the JWS R||S (64 bytes).
type ES256Verifier interface {
	VerifyES256(digest, sig []byte) bool
}

// verifySig verifies a JWS signature exactly per RFC 7518 §3.4 (ECDSA: fixed
// width R||S) and RFC 8037 (EdDSA over Ed25519). The key must fit the alg.
// Mismatched key types yield keyErr; a bad signature yields sigErr.
func verifySig(alg jwa.SignatureAlgorithm, key crypto.PublicKey, signingInput string, sig []byte, keyCode, sigCode string) error {
	if fast, ok := key.(ES256Verifier); ok {
		if alg != jwa.ES256 {
			return newErr(keyCode, "key is a P-256 key, alg is not ES256")
		}
		if len(sig) != 64 {
			return newErr(sigCode, "ECDSA signature has wrong length")
		}
		h := sha256.Sum256(readOnlyBytes(signingInput))
		if !fast.VerifyES256(h[:], sig) {
			return newErr(sigCode, "signature does not verify")
		}
		return nil
	}
	key, err := rawPublicKey(key)
	if err != nil {
		return wrapErr(keyCode, "unusable key", err)
	}
	switch alg {
	case jwa.ES256, jwa.ES384, jwa.ES512:
		pub, ok := key.(*ecdsa.PublicKey)
		if !ok || pub == nil {
			return newErr(keyCode, "key is not an ECDSA public key")
		}
		var curve elliptic.Curve
		var digest []byte
		switch alg {
		case jwa.ES256:
			curve = elliptic.P256()
			h := sha256.Sum256(readOnlyBytes(signingInput))
			digest = h[:]
		case jwa.ES384:
			curve = elliptic.P384()
			h := sha512.Sum384(readOnlyBytes(signingInput))
			digest = h[:]
		default:
			curve = elliptic.P521()
			h := sha512.Sum512(readOnlyBytes(signingInput))
			digest = h[:]
		}
		if pub.Curve != curve {
			return newErr(keyCode, "key curve does not match alg")
		}
		n := (curve.Params().BitSize + 7) / 8
		if len(sig) != 2*n {
			return newErr(sigCode, "ECDSA signature has wrong length")
		}
		// ecdsa.Verify(r, s) would build big.Ints and re-encode them as DER for
		// VerifyASN1; encoding R||S straight to DER skips both.
		var der [2 + 2*(3+66)]byte
		if !ecdsa.VerifyASN1(pub, digest, appendDERSignature(der[:0], sig[:n], sig[n:])) {
			return newErr(sigCode, "signature does not verify")
		}
		return nil
	case jwa.EdDSA:
		pub, ok := key.(ed25519.PublicKey)
		if !ok || len(pub) != ed25519.PublicKeySize {
			return newErr(keyCode, "key is not an Ed25519 public key")
		}
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, []byte(signingInput), sig) {
			return newErr(sigCode, "signature does not verify")
		}
		return nil
	}
	return newErr(CodeAlgNotAllowed, "alg not supported")
}

// signCompact signs payload with jwx (which accepts any crypto.Signer, e.g.
// an HSM handle) and returns the compact JWS.
func signCompact(payload []byte, signer crypto.Signer, alg jwa.SignatureAlgorithm, header map[string]any) (string, error) {
	if signer == nil {
		return "", newErr(CodeConfigInvalid, "no signer")
	}
	if !algPermitted(alg, nil) {
		return "", newErr(CodeAlgNotAllowed, "signing alg must be ES256/384/512 or EdDSA")
	}
	hdr := jws.NewHeaders()
	for k, v := range header {
		if k == jws.AlgorithmKey {
			continue // the alg is set from the alg argument only
		}
		if err := hdr.Set(k, v); err != nil {
			return "", wrapErr(CodeConfigInvalid, "header "+k, err)
		}
	}
	out, err := jws.Sign(payload, jws.WithKey(alg, signer, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", wrapErr(CodeSignFailed, "jws sign", err)
	}
	return string(out), nil
}

// appendDERSignature encodes the fixed-width R||S halves of a JWS ECDSA
// signature (RFC 7518 §3.4) as the ASN.1 SEQUENCE{INTEGER r, INTEGER s} that
// ecdsa.VerifyASN1 takes: minimal, positive INTEGERs, exactly as
// ecdsa.Verify(r, s) encodes them. A zero half encodes as INTEGER 0, which
// VerifyASN1 refuses like ecdsa.Verify refused r or s <= 0. Halves are at most
// 66 bytes (P-521), so the body fits a one-byte long-form length.
func appendDERSignature(b, r, s []byte) []byte {
	r, s = trimZeros(r), trimZeros(s)
	body := derIntLen(r) + derIntLen(s)
	b = append(b, 0x30)
	if body >= 0x80 {
		b = append(b, 0x81)
	}
	b = append(b, byte(body))
	return appendDERInt(appendDERInt(b, r), s)
}

// trimZeros strips leading zero bytes, leaving at least one.
func trimZeros(v []byte) []byte {
	for len(v) > 1 && v[0] == 0 {
		v = v[1:]
	}
	return v
}

func derIntLen(v []byte) int {
	if v[0]&0x80 != 0 {
		return 3 + len(v)
	}
	return 2 + len(v)
}

func appendDERInt(b, v []byte) []byte {
	if v[0]&0x80 != 0 { // a leading 0 keeps it positive
		return append(append(b, 0x02, byte(len(v)+1), 0), v...)
	}
	return append(append(b, 0x02, byte(len(v))), v...)
}
