package sdjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/json"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/internal/b64url"
)

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// IssuerKey resolves the issuer's verification key from the protected
	// header (the caller checks x5c chains there). Required. It is called only
	// after the header's alg passed AllowedAlgs. It may return an
	// *ecdsa.PublicKey, ed25519.PublicKey or a jwk.Key.
	IssuerKey func(h jws.Headers) (crypto.PublicKey, error)
	// ResolveKey does the same from the header decoded into a Header, without
	// building jwx Headers (cheaper on a hot path). When set it is used instead of
	// IssuerKey, and Verified.Header stays nil. One of the two is required.
	ResolveKey func(h *Header) (crypto.PublicKey, error)
	// AllowedAlgs for the issuer JWS and the KB-JWT. Default ES256, ES384,
	// ES512, EdDSA. "none" and HS* are refused even if listed.
	AllowedAlgs []jwa.SignatureAlgorithm
	// KeyBinding: nil means key binding is not required, but a KB-JWT that is
	// present is still fully checked except aud/nonce/iat freshness (typ,
	// signature by cnf.jwk, required claims, sd_hash), so a forged KB-JWT is
	// never silently accepted; its claims are returned for the caller to check.
	// Non-nil: the KB-JWT is checked against Audience/Nonce/Now/MaxAge/Skew
	// and, when Required, must be present.
	KeyBinding *KBOptions
}

// KBOptions are the verifier's expectations for the KB-JWT (RFC 9901 §7.3).
type KBOptions struct {
	Required bool
	Audience string        // required, exact match
	Nonce    string        // required, exact match
	Now      time.Time     // zero: time.Now()
	MaxAge   time.Duration // zero: 5 minutes
	Skew     time.Duration // zero: 30 seconds
}

// Verified is the result of a successful Verify.
type Verified struct {
	Header       jws.Headers    // the protected header as jwx Headers (IssuerKey path only)
	IssuerHeader *Header        // the protected header, decoded once
	Claims       map[string]any // processed payload: disclosed claims in place, _sd/_sd_alg/"..." removed, undisclosed array elements dropped
	Disclosures  []*Disclosure
	HolderKey    jwk.Key        // from cnf.jwk (when present)
	KeyBinding   map[string]any // KB-JWT claims when verified
}

// Verify checks an SD-JWT (optionally with KB-JWT) per RFC 9901 §7.1 and
// §7.3. Order: structure and bounds, alg allow-list, key resolution, issuer
// signature, _sd_alg, disclosure processing, cnf, key binding. Every failure
// is an *Error with a distinct Code; nothing is returned on failure.
func Verify(s string, opts VerifyOptions) (*Verified, error) {
	if opts.IssuerKey == nil && opts.ResolveKey == nil {
		return nil, newErr(CodeConfigInvalid, "IssuerKey or ResolveKey resolver is required")
	}
	if kb := opts.KeyBinding; kb != nil && (kb.Audience == "" || kb.Nonce == "") {
		return nil, newErr(CodeConfigInvalid, "KeyBinding needs Audience and Nonce")
	}
	dec := newJSONDecoder() // one set of decoder stacks for every JSON text below
	tok, err := parse(s, dec)
	if err != nil {
		return nil, err
	}
	c, err := parseCompact(tok.IssuerJWT)
	if err != nil {
		return nil, err
	}
	ih, err := parseHeader(c.header, dec)
	if err != nil {
		return nil, err
	}
	var jh jws.Headers // built only for an IssuerKey resolver
	if opts.ResolveKey == nil {
		jh = jws.NewHeaders()
		if err := json.Unmarshal(c.header, jh); err != nil {
			return nil, wrapErr(CodeMalformed, "issuer JWS header", err)
		}
	}
	alg := ih.Alg
	if !algPermitted(alg, opts.AllowedAlgs) {
		return nil, newErr(CodeAlgNotAllowed, "issuer alg "+string(alg)+" not allowed")
	}
	if len(ih.Crit) > 0 {
		return nil, newErr(CodeMalformed, "unsupported crit header")
	}
	var key crypto.PublicKey
	if opts.ResolveKey != nil {
		key, err = opts.ResolveKey(ih)
	} else {
		key, err = opts.IssuerKey(jh)
	}
	if err != nil {
		return nil, wrapErr(CodeKeyUnresolved, "issuer key", err)
	}
	if key == nil {
		return nil, newErr(CodeKeyUnresolved, "issuer key resolver returned nil")
	}
	if err := verifySig(alg, key, c.signingInput, c.sig, CodeKeyUnresolved, CodeSignatureInvalid); err != nil {
		return nil, err
	}

	payload, err := dec.decodeObject(c.payload)
	if err != nil {
		return nil, wrapErr(CodeMalformed, "issuer JWT payload is not a JSON object", err)
	}
	sdAlg, err := payloadSDAlg(payload)
	if err != nil {
		return nil, err
	}
	p, err := newProcessor(tok.Disclosures, sdAlg, false)
	if err != nil {
		return nil, err
	}
	claims, err := p.run(payload, true) // payload was decoded above for this call alone
	if err != nil {
		return nil, err
	}
	v := &Verified{Header: jh, IssuerHeader: ih, Claims: claims, Disclosures: tok.Disclosures}

	var holderRaw crypto.PublicKey
	if v.HolderKey, holderRaw, err = holderKey(claims); err != nil {
		return nil, err
	}
	if tok.KeyBinding == "" {
		if opts.KeyBinding != nil && opts.KeyBinding.Required {
			return nil, newErr(CodeKBMissing, "key binding JWT required")
		}
		return v, nil
	}
	if v.HolderKey == nil {
		return nil, newErr(CodeCnfMissing, "KB-JWT present but no cnf.jwk holder key")
	}
	if v.KeyBinding, err = verifyKB(tok.KeyBinding, sdHashInput(s), sdAlg, holderRaw, opts, dec); err != nil {
		return nil, err
	}
	return v, nil
}

// payloadSDAlg reads _sd_alg (default sha-256, RFC 9901 §4.1.1).
func payloadSDAlg(payload map[string]any) (string, error) {
	raw, ok := payload["_sd_alg"]
	if !ok {
		return SHA256, nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", newErr(CodeSDAlgUnsupported, "_sd_alg is not a string")
	}
	switch s {
	case SHA256, SHA384, SHA512:
		return s, nil
	}
	return "", newErr(CodeSDAlgUnsupported, "unsupported _sd_alg")
}

// holderKey extracts cnf.jwk (RFC 7800) as a public jwk.Key plus the raw
// crypto key, or nils if the payload has no cnf.jwk. A cnf that is present
// but unusable is an error.
func holderKey(claims map[string]any) (jwk.Key, crypto.PublicKey, error) {
	cnfRaw, ok := claims["cnf"]
	if !ok {
		return nil, nil, nil
	}
	cnf, ok := cnfRaw.(map[string]any)
	if !ok {
		return nil, nil, newErr(CodeCnfMissing, "cnf is not an object")
	}
	jraw, ok := cnf["jwk"]
	if !ok {
		return nil, nil, nil
	}
	jm, ok := jraw.(map[string]any)
	if !ok {
		return nil, nil, newErr(CodeCnfMissing, "cnf.jwk is not an object")
	}
	raw, err := fastJWK(jm)
	if err != nil {
		return nil, nil, err
	}
	var k jwk.Key
	if raw != nil {
		k, err = jwk.FromRaw(raw)
	} else {
		// Uncommon key types: let jwx do the full parse.
		var js []byte
		if js, err = json.Marshal(jm); err == nil {
			k, err = jwk.ParseKey(js)
		}
	}
	if err != nil {
		return nil, nil, wrapErr(CodeCnfMissing, "cnf.jwk is not a valid JWK", err)
	}
	pk := k
	if raw == nil { // fastJWK only builds public keys; a jwx-parsed one may be private
		if pk, err = k.PublicKey(); err != nil { // never keep private material a careless issuer put there
			return nil, nil, wrapErr(CodeCnfMissing, "cnf.jwk public key", err)
		}
	}
	if raw == nil {
		if raw, err = rawPublicKey(pk); err != nil {
			return nil, nil, wrapErr(CodeCnfMissing, "cnf.jwk public key", err)
		}
	}
	if kid, ok := jm["kid"].(string); ok {
		_ = pk.Set(jwk.KeyIDKey, kid)
	}
	return pk, raw, nil
}

// fastJWK builds EC (P-256/384/521) and Ed25519 public keys straight from
// the decoded JWK members, validating the point, without a JSON round trip
// through jwx. It returns nil, nil for other key types.
func fastJWK(m map[string]any) (crypto.PublicKey, error) {
	kty, _ := m["kty"].(string)
	crv, _ := m["crv"].(string)
	x, _ := m["x"].(string)
	switch {
	case kty == "EC":
		var curve elliptic.Curve
		switch crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, newErr(CodeCnfMissing, "cnf.jwk: unsupported curve")
		}
		y, _ := m["y"].(string)
		n := (curve.Params().BitSize + 7) / 8
		xb, errX := b64url.Decode(x)
		yb, errY := b64url.Decode(y)
		if errX != nil || errY != nil || len(xb) != n || len(yb) != n { // full-length coordinates, RFC 7518 §6.2.1.2
			return nil, newErr(CodeCnfMissing, "cnf.jwk: bad EC coordinates")
		}
		pt := make([]byte, 0, 1+2*n)
		pt = append(append(append(pt, 4), xb...), yb...)
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, pt)
		if err != nil {
			return nil, wrapErr(CodeCnfMissing, "cnf.jwk: point not on curve", err)
		}
		return pub, nil
	case kty == "OKP" && crv == "Ed25519":
		xb, err := b64url.Decode(x)
		if err != nil || len(xb) != ed25519.PublicKeySize {
			return nil, newErr(CodeCnfMissing, "cnf.jwk: bad Ed25519 key")
		}
		return ed25519.PublicKey(xb), nil
	}
	return nil, nil
}
