package sdjwt

import (
	"crypto"
	"crypto/subtle"
	"math"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

// KBType is the required "typ" of a Key Binding JWT (RFC 9901 §4.3).
const KBType = "kb+jwt"

// AddKeyBinding appends a KB-JWT to a presentation that has none:
// header {alg, typ:"kb+jwt"}, claims {iat, aud, nonce, sd_hash} where sd_hash
// is base64url(hash_{_sd_alg}(presentation)) (RFC 9901 §4.3). The issuer
// payload is read unverified, only for _sd_alg.
func AddKeyBinding(presentation string, holder crypto.Signer, alg jwa.SignatureAlgorithm, aud, nonce string, iat time.Time) (string, error) {
	if aud == "" || nonce == "" {
		return "", newErr(CodeConfigInvalid, "aud and nonce are required")
	}
	tok, err := Parse(presentation)
	if err != nil {
		return "", err
	}
	if tok.KeyBinding != "" {
		return "", newErr(CodeKBMalformed, "presentation already has a KB-JWT")
	}
	payload, err := unverifiedPayload(tok.IssuerJWT)
	if err != nil {
		return "", err
	}
	sdAlg, err := payloadSDAlg(payload)
	if err != nil {
		return "", err
	}
	sdHash, err := digestOf(sdAlg, presentation)
	if err != nil {
		return "", err
	}
	body, err := marshalJSON(map[string]any{"iat": iat.Unix(), "aud": aud, "nonce": nonce, "sd_hash": sdHash})
	if err != nil {
		return "", wrapErr(CodeSignFailed, "KB-JWT claims", err)
	}
	kb, err := signCompact(body, holder, alg, map[string]any{"typ": KBType})
	if err != nil {
		return "", err
	}
	return presentation + kb, nil
}

// unverifiedPayload decodes an issuer JWT payload without checking the
// signature — holder-side only, never used for a trust decision.
func unverifiedPayload(jwt string) (map[string]any, error) {
	c, err := parseCompact(jwt)
	if err != nil {
		return nil, err
	}
	payload, err := new(jsonDecoder).decodeObject(c.payload)
	if err != nil {
		return nil, wrapErr(CodeMalformed, "issuer JWT payload is not a JSON object", err)
	}
	return payload, nil
}

// verifyKB checks the KB-JWT per RFC 9901 §7.3 steps 5a–5f.
func verifyKB(kb, presented, sdAlg string, holder crypto.PublicKey, opts VerifyOptions, dec *jsonDecoder) (map[string]any, error) {
	c, err := parseCompact(kb)
	if err != nil {
		return nil, wrapErr(CodeKBMalformed, "KB-JWT", err)
	}
	// Member names match exactly and may not repeat (RFC 7515 §4); alg and typ
	// must be strings; any crit, even null, is refused.
	h, err := dec.decodeHeaderObject(c.header)
	if err != nil {
		return nil, wrapErr(CodeKBMalformed, "KB-JWT header", err)
	}
	alg, okAlg := h["alg"].(string)
	typ, okTyp := h["typ"].(string)
	if (!okAlg && h["alg"] != nil) || (!okTyp && h["typ"] != nil) {
		return nil, newErr(CodeKBMalformed, "KB-JWT header: alg and typ must be strings")
	}
	if typ != KBType {
		return nil, newErr(CodeKBTyp, `KB-JWT typ must be "kb+jwt"`)
	}
	if !algPermitted(jwa.SignatureAlgorithm(alg), opts.AllowedAlgs) {
		return nil, newErr(CodeAlgNotAllowed, "KB-JWT alg "+alg+" not allowed")
	}
	if _, crit := h["crit"]; crit {
		return nil, newErr(CodeKBMalformed, "unsupported crit header")
	}
	if err := verifySig(jwa.SignatureAlgorithm(alg), holder, c.signingInput, c.sig, CodeKBSignatureInvalid, CodeKBSignatureInvalid); err != nil {
		return nil, err
	}
	claims, err := dec.decodeObject(c.payload)
	if err != nil {
		return nil, wrapErr(CodeKBMalformed, "KB-JWT payload is not a JSON object", err)
	}
	iat, okIat := claims["iat"].(float64)
	aud, okAud := claims["aud"].(string)
	nonce, okNonce := claims["nonce"].(string)
	sdHash, okHash := claims["sd_hash"].(string)
	if !okIat || !okAud || !okNonce || !okHash || math.IsNaN(iat) || math.IsInf(iat, 0) {
		return nil, newErr(CodeKBMalformed, "KB-JWT needs iat, aud, nonce and sd_hash")
	}
	if o := opts.KeyBinding; o != nil {
		if aud != o.Audience {
			return nil, newErr(CodeKBAud, "KB-JWT aud mismatch")
		}
		if subtle.ConstantTimeCompare([]byte(nonce), []byte(o.Nonce)) != 1 {
			return nil, newErr(CodeKBNonce, "KB-JWT nonce mismatch")
		}
		now, maxAge, skew := o.Now, o.MaxAge, o.Skew
		if now.IsZero() {
			now = time.Now()
		}
		if maxAge <= 0 {
			maxAge = defaultKBMaxAge * time.Second
		}
		if skew <= 0 {
			skew = defaultKBSkewSecs * time.Second
		}
		n := float64(now.Unix())
		if iat > n+skew.Seconds() || iat < n-maxAge.Seconds()-skew.Seconds() {
			return nil, newErr(CodeKBIat, "KB-JWT iat outside the acceptance window")
		}
	}
	want, err := digestOf(sdAlg, presented)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(sdHash)) != 1 {
		return nil, newErr(CodeKBSDHash, "KB-JWT sd_hash does not match the presentation")
	}
	return claims, nil
}

// PeekNonce returns the "nonce" claim of the presentation's KB-JWT without
// verifying anything, or "" when there is none or the KB-JWT is malformed. It
// lets a verifier consume a single-use nonce before spending any signature
// work; Verify then checks the nonce for real, so a wrong answer here can
// only lead to a rejection.
func PeekNonce(presentation string) string {
	kb := presentation[strings.LastIndexByte(presentation, '~')+1:]
	if !strings.Contains(presentation, "~") || kb == "" || len(kb) > maxKBBytes {
		return ""
	}
	c, err := parseCompact(kb)
	if err != nil {
		return ""
	}
	claims, err := new(jsonDecoder).decodeObject(c.payload)
	if err != nil {
		return ""
	}
	nonce, _ := claims["nonce"].(string)
	return nonce
}
