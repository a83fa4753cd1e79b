package keyattest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"slices"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/statuslist"
)

// StatusChecker answers a Token Status List entry (statuslist.Checker does).
type StatusChecker interface {
	Status(ctx context.Context, ref statuslist.Reference) (uint8, error)
}

// VerifyOptions are the checks Verify makes beyond the format.
type VerifyOptions struct {
	// Trust holds the wallet providers (certs.PurposeWalletProvider; the scope is the
	// attestation's iss, "*" when it has none). Required.
	Trust *certs.TrustList
	Now   time.Time // zero: time.Now()
	// Algs narrows the accepted algorithms (default Algs).
	Algs []jwa.SignatureAlgorithm
	// RequireExp refuses an attestation without exp (Appendix D.1: exp is required when the
	// attestation travels in a jwt proof).
	RequireExp bool
	// MaxAge bounds now - iat for an attestation without exp (default 5 min).
	MaxAge time.Duration
	// Skew is the clock skew tolerated on iat and exp (default 1 min).
	Skew time.Duration
	// Status checks the attestation's status list entry; an attestation naming one is refused
	// (ErrStatusUnchecked) when Status is nil.
	Status StatusChecker
}

// Verify parses a key attestation and checks it: the signature by a wallet provider of
// opts.Trust (x5c chain verified to an anchor at opts.Now with the key attestation signer
// profile, or kid matching the RFC 7638 thumbprint of a pinned certificate's key), the alg
// fitting that key, iat not in the future, exp not passed (iat within MaxAge when exp is
// absent), and the status list entry valid. The nonce is for the caller to compare with its
// c_nonce; Policy.Check and Attests apply the caller's requirements.
func Verify(ctx context.Context, compact []byte, opts VerifyOptions) (*Attestation, error) {
	a, err := Parse(compact)
	if err != nil {
		return nil, err
	}
	if opts.Trust == nil {
		return nil, newErr(ErrUntrusted, nil, "no wallet providers are trusted")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = 5 * time.Minute
	}
	if opts.Skew <= 0 {
		opts.Skew = time.Minute
	}
	algs := opts.Algs
	if len(algs) == 0 {
		algs = Algs
	}
	if !slices.Contains(algs, a.Alg) {
		return nil, newErr(ErrAlg, nil, "alg %s not accepted", a.Alg)
	}
	cert, err := a.signer(opts.Trust, opts.Now)
	if err != nil {
		return nil, err
	}
	if !algFits(a.Alg, cert.PublicKey) {
		return nil, newErr(ErrAlg, nil, "alg %s does not fit the wallet provider's key", a.Alg)
	}
	if _, err := jws.Verify(a.compact, jws.WithKey(a.Alg, cert.PublicKey)); err != nil {
		return nil, newErr(ErrSignature, nil, "signature does not verify with the wallet provider's key")
	}
	a.SignerCN = cert.Subject.CommonName
	now := opts.Now
	switch {
	case a.IssuedAt.After(now.Add(opts.Skew)):
		return nil, newErr(ErrNotYetValid, nil, "iat is in the future")
	case a.ExpiresAt.IsZero() && opts.RequireExp:
		return nil, newErr(ErrMalformed, nil, "exp is required")
	case !a.ExpiresAt.IsZero() && !now.Before(a.ExpiresAt.Add(opts.Skew)):
		return nil, newErr(ErrExpired, nil, "expired at %s", a.ExpiresAt.UTC().Format(time.RFC3339))
	case a.ExpiresAt.IsZero() && now.Sub(a.IssuedAt) > opts.MaxAge:
		return nil, newErr(ErrExpired, nil, "issued more than %s ago and has no exp", opts.MaxAge)
	}
	if a.otherStatus {
		return nil, newErr(ErrStatusUnchecked, nil, "the status object names no status_list, the one mechanism checked here")
	}
	if a.Status != nil {
		if opts.Status == nil {
			return nil, newErr(ErrStatusUnchecked, nil, "the attestation names a status list and none can be checked")
		}
		st, err := opts.Status.Status(ctx, *a.Status)
		if err != nil {
			return nil, newErr(ErrStatusUnchecked, err, "status list")
		}
		if st != 0 {
			return nil, newErr(ErrRevoked, nil, "status 0x%02x", st)
		}
	}
	return a, nil
}

// signer finds the wallet provider certificate that signed a: the verified x5c leaf, or the
// pinned certificate whose key thumbprint is kid.
func (a *Attestation) signer(trust *certs.TrustList, now time.Time) (*x509.Certificate, error) {
	scope := a.Issuer
	if scope == "" {
		scope = certs.ScopeAny
	}
	if len(a.X5C) > 0 {
		leaf, err := trust.VerifyX5C(certs.PurposeWalletProvider, scope, a.X5C, now)
		if err != nil {
			if errors.Is(err, certs.ErrNotValidAtTime) {
				return nil, newErr(ErrExpired, err, "wallet provider certificate")
			}
			if errors.Is(err, certs.ErrMalformed) {
				return nil, newErr(ErrMalformed, err, "x5c")
			}
			return nil, newErr(ErrUntrusted, err, "wallet provider chain")
		}
		return leaf, nil
	}
	for _, c := range trust.Certificates(certs.PurposeWalletProvider, scope, now) {
		if tp, err := Thumbprint(c.PublicKey); err == nil && tp == a.KeyID {
			return c, nil
		}
	}
	return nil, newErr(ErrUntrusted, nil, "kid names no wallet provider certificate of the trust list")
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint (base64url) of a public key: the kid by which
// an attestation names a pinned wallet provider certificate.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	k, err := jwk.FromRaw(pub)
	if err != nil {
		return "", err
	}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// algFits reports whether alg is the algorithm of key: each ECDSA alg has its curve.
func algFits(alg jwa.SignatureAlgorithm, key crypto.PublicKey) bool {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		return (alg == jwa.ES256 && k.Curve == elliptic.P256()) || (alg == jwa.ES384 && k.Curve == elliptic.P384()) ||
			(alg == jwa.ES512 && k.Curve == elliptic.P521())
	case ed25519.PublicKey:
		return alg == jwa.EdDSA
	}
	return false
}

// Attests reports whether key is one of the attested keys (same RFC 7638 thumbprint).
func (a *Attestation) Attests(key jwk.Key) bool {
	want, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return false
	}
	for _, k := range a.AttestedKeys {
		if tp, err := k.Thumbprint(crypto.SHA256); err == nil && string(tp) == string(want) {
			return true
		}
	}
	return false
}

// Policy is what an issuer accepts: the key_storage and user_authentication values, any one
// of which the attestation must assert. An empty list accepts any value and none.
type Policy struct {
	KeyStorage         []string
	UserAuthentication []string
}

// Check reports whether a satisfies p (ErrKeyStorage, ErrUserAuthentication).
func (p Policy) Check(a *Attestation) error {
	if len(p.KeyStorage) > 0 && !slices.ContainsFunc(a.KeyStorage, func(v string) bool { return slices.Contains(p.KeyStorage, v) }) {
		return newErr(ErrKeyStorage, nil, "key_storage asserts none of the accepted levels")
	}
	if len(p.UserAuthentication) > 0 && !slices.ContainsFunc(a.UserAuthentication, func(v string) bool { return slices.Contains(p.UserAuthentication, v) }) {
		return newErr(ErrUserAuthentication, nil, "user_authentication asserts none of the accepted levels")
	}
	return nil
}

// AtLeast returns the ISO/IEC 18045 levels at or above level, strongest first: what an issuer
// lists as accepted when level is its minimum. level may be given without its "iso_18045_"
// prefix ("moderate").
func AtLeast(level string) ([]string, error) {
	for i, l := range isoLevels {
		if level == l || "iso_18045_"+level == l {
			return slices.Clone(isoLevels[:i+1]), nil
		}
	}
	return nil, newErr(ErrMalformed, nil, "unknown ISO/IEC 18045 level (want high, moderate, enhanced-basic or basic)")
}
