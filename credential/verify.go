package credential

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/sdjwt"
	"github.com/idgate/idgate/statuslist"
)

// StatusChecker answers a credential's Token Status List entry (statuslist.Checker does).
type StatusChecker interface {
	Status(ctx context.Context, ref statuslist.Reference) (uint8, error)
}

// VerifierConfig configures a Verifier.
type VerifierConfig struct {
	Trust  *certs.TrustList
	Status StatusChecker
	Now    func() time.Time
	// Skew is the clock skew tolerated on iat/nbf/exp (default 60 s).
	Skew time.Duration
	// KBMaxAge is how old a key-binding JWT may be (default 5 min).
	KBMaxAge time.Duration
	// AcceptVCT limits the accepted credential types; empty accepts both of ours.
	AcceptVCT []string
}

// Expectation is what the relying party asked for: the KB-JWT must carry this audience and
// nonce, and the listed claims must be disclosed.
type Expectation struct {
	Audience string
	Nonce    string
	Claims   []string
	// KeyBindingOptional: the relying party waived holder binding (OpenID4VP DCQL
	// require_cryptographic_holder_binding: false), so a presentation without a KB-JWT is
	// accepted; a KB-JWT that is present must still verify for Audience and Nonce. Every
	// other check is unchanged.
	KeyBindingOptional bool
}

// Result is a verified presentation.
type Result struct {
	Type       Type
	VCT        string
	Issuer     string
	IssuerName string // subject CN of the signing certificate
	IssuedAt   time.Time
	ExpiresAt  time.Time
	Status     StatusRef
	// Claims holds only the disclosed subject claims (registered claims are in the fields above).
	Claims    map[string]any
	HolderKey jwk.Key // cnf.jwk, when the credential has one
	// KeyBound: a KB-JWT signed by HolderKey verified for the expected audience and nonce.
	// Always true unless Expectation.KeyBindingOptional.
	KeyBound bool
}

// Verifier verifies SD-JWT VC presentations for a relying party. Safe for concurrent use.
type Verifier struct {
	cfg VerifierConfig
	// chains maps a single-certificate x5c to its parsed chain, keyed by the leaf's base64
	// text: certs.ParseX5C admits only the canonical standard base64 of the DER (no CR/LF,
	// exact padding, zero trailing bits), so each certificate has one key. Bounded by count.
	chains sync.Map
	count  int64
	mu     sync.Mutex
}

const maxCachedChains = 1024

// NewVerifier checks the configuration and returns a Verifier.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if cfg.Trust == nil || cfg.Status == nil {
		return nil, errors.New("credential: verifier needs a trust list and a status checker")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Skew == 0 {
		cfg.Skew = time.Minute
	}
	if cfg.KBMaxAge == 0 {
		cfg.KBMaxAge = 5 * time.Minute
	}
	return &Verifier{cfg: cfg}, nil
}

// Verify checks a presentation end to end and fails closed: any check it cannot complete
// (including an unreachable status list) is a rejection.
func (v *Verifier) Verify(ctx context.Context, presentation string, exp Expectation) (*Result, error) {
	if exp.Audience == "" || exp.Nonce == "" {
		return nil, newError(CodeInvalidRequest, "expected audience and nonce are required")
	}
	now := v.cfg.Now()
	var chain []*x509.Certificate
	vr, err := sdjwt.Verify(presentation, sdjwt.VerifyOptions{
		// ResolveKey: the header decoded once, no jwx Headers (hot path).
		ResolveKey: func(h *sdjwt.Header) (crypto.PublicKey, error) {
			if typ := h.Typ; typ != Typ && typ != LegacyTyp {
				return nil, newError(CodeTyp, "typ %q is not %s", typ, Typ)
			}
			c, err := v.parseChain(h)
			if err != nil {
				return nil, err
			}
			chain = c
			// The same key through a precomputed table when the trust list has accepted it
			// before (trust is still checked for this chain in checkClaims).
			if k := v.cfg.Trust.ES256Key(c[0].PublicKey); k != nil {
				return k, nil
			}
			return c[0].PublicKey, nil
		},
		KeyBinding: &sdjwt.KBOptions{
			Required: !exp.KeyBindingOptional, Audience: exp.Audience, Nonce: exp.Nonce,
			Now: now, MaxAge: v.cfg.KBMaxAge, Skew: v.cfg.Skew,
		},
	})
	if err != nil {
		return nil, err
	}
	res, err := v.checkClaims(vr.Claims, chain, now)
	if err != nil {
		return nil, err
	}
	res.HolderKey, res.KeyBound = vr.HolderKey, vr.KeyBinding != nil
	for _, c := range exp.Claims {
		if _, ok := res.Claims[c]; !ok {
			return nil, newError(CodeNotDisclosed, "requested claim %q was not disclosed", c)
		}
	}
	if err := CheckStatus(ctx, v.cfg.Status, res.Status); err != nil {
		return nil, err
	}
	return res, nil
}

// StatusChecker returns the checker Verify asks (and whose cache it shares), so that a
// relying party re-checking a credential it verified earlier (a gate's walk-through boarding
// of a check-in enrolment) asks the same one.
func (v *Verifier) StatusChecker() StatusChecker { return v.cfg.Status }

// CheckStatus asks c for the credential's Token Status List entry ref and fails closed: nil
// only for VALID; CodeRevoked, CodeSuspended, CodeStatusInvalid for any other value,
// CodeStatusUnavailable when the list cannot be had (or ref names no list).
func CheckStatus(ctx context.Context, c StatusChecker, ref StatusRef) error {
	if ref.URI == "" || ref.Index < 0 {
		return newError(CodeStatusUnavailable, "no status list reference")
	}
	st, err := c.Status(ctx, statuslist.Reference{Index: ref.Index, URI: ref.URI})
	if err != nil {
		return wrapError(CodeStatusUnavailable, err, "status list")
	}
	switch st {
	case statuslist.Valid:
		return nil
	case statuslist.Invalid:
		return newError(CodeRevoked, "credential revoked")
	case statuslist.Suspended:
		return newError(CodeSuspended, "credential suspended")
	}
	return newError(CodeStatusInvalid, "status value %d", st)
}

func (v *Verifier) parseChain(h *sdjwt.Header) ([]*x509.Certificate, error) {
	x5c := h.X5C
	if len(x5c) == 0 {
		return nil, newError(CodeUntrustedIssuer, "no x5c chain in the header")
	}
	key := x5c[0]
	if len(x5c) > 1 {
		key = "" // only single-certificate chains are cached; longer ones are parsed each time
	}
	if key != "" {
		if c, ok := v.chains.Load(key); ok {
			return c.([]*x509.Certificate), nil
		}
	}
	chain, err := certs.ParseX5C(x5c)
	if errors.Is(err, certs.ErrMalformed) {
		return nil, wrapError(CodeMalformed, err, "x5c")
	}
	if err != nil {
		return nil, wrapError(CodeUntrustedIssuer, err, "x5c")
	}
	if key != "" {
		v.mu.Lock()
		if v.count >= maxCachedChains {
			v.chains.Clear()
			v.count = 0
		}
		v.chains.Store(key, chain)
		v.count++
		v.mu.Unlock()
	}
	return chain, nil
}

func (v *Verifier) checkClaims(claims map[string]any, chain []*x509.Certificate, now time.Time) (*Result, error) {
	vct, _ := claims["vct"].(string)
	spec, ok := LookupVCT(vct)
	if !ok || (len(v.cfg.AcceptVCT) > 0 && !slices.Contains(v.cfg.AcceptVCT, vct)) {
		return nil, newError(CodeVCTNotAccepted, "vct %q is not accepted", vct)
	}
	iat, okI := numericDate(claims["iat"])
	exp, okE := numericDate(claims["exp"])
	if !okI || !okE {
		return nil, newError(CodeMissingClaim, "iat and exp are required")
	}
	if iat.After(now.Add(v.cfg.Skew)) {
		return nil, newError(CodeIssuedInFuture, "issued in the future")
	}
	if nbf, ok := numericDate(claims["nbf"]); ok && nbf.After(now.Add(v.cfg.Skew)) {
		return nil, newError(CodeNotYetValid, "not valid before %s", nbf.UTC().Format(time.RFC3339))
	} else if _, present := claims["nbf"]; present && !ok {
		return nil, newError(CodeMalformed, "nbf is not a NumericDate")
	}
	if !now.Add(-v.cfg.Skew).Before(exp) {
		return nil, newError(CodeExpired, "expired at %s", exp.UTC().Format(time.RFC3339))
	}
	leaf, err := v.cfg.Trust.Verify(certs.PurposeCredential, vct, chain, iat)
	if err != nil {
		if errors.Is(err, certs.ErrNotValidAtTime) {
			return nil, wrapError(CodeIssuerCertTime, err, "issuer certificate at issuance time")
		}
		return nil, wrapError(CodeUntrustedIssuer, err, "issuer chain")
	}
	// The chain is judged at iat, which the signer chose: so that a retired (or leaked) key
	// cannot back-date new credentials into its old validity window, no credential may
	// outlive the certificate that signed it.
	if exp.After(leaf.NotAfter) {
		return nil, newError(CodeIssuerCertTime, "credential expires after its issuer certificate (%s)", leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	iss, _ := claims["iss"].(string)
	if iss == "" || !slices.ContainsFunc(leaf.URIs, func(u *url.URL) bool { return u.String() == iss }) {
		return nil, newError(CodeIssuerMismatch, "iss %q is not named by the issuer certificate", iss)
	}
	ref, err := statusRef(claims["status"])
	if err != nil {
		return nil, err
	}
	// The registered claims were read above; what is left are the subject claims. The map is
	// sdjwt.Verify's fresh result, referenced by nothing else, so it is trimmed in place.
	for k := range claims {
		if neverDisclosable[k] {
			delete(claims, k)
		}
	}
	return &Result{
		Type: spec.Type, VCT: vct, Issuer: iss, IssuerName: leaf.Subject.CommonName,
		IssuedAt: iat, ExpiresAt: exp, Status: ref, Claims: claims,
	}, nil
}

func statusRef(v any) (StatusRef, error) {
	st, _ := v.(map[string]any)
	sl, _ := st["status_list"].(map[string]any)
	uri, _ := sl["uri"].(string)
	idx, ok := sl["idx"].(float64)
	if n, isNum := sl["idx"].(json.Number); isNum {
		i, err := n.Int64()
		idx, ok = float64(i), err == nil
	}
	if sl == nil || uri == "" || !ok || idx < 0 || idx != float64(int(idx)) {
		return StatusRef{}, newError(CodeStatusMissing, "status.status_list {idx, uri} is required")
	}
	return StatusRef{Index: int(idx), URI: uri}, nil
}

func numericDate(v any) (time.Time, bool) {
	switch n := v.(type) {
	case float64:
		return time.Unix(int64(n), 0), true
	case int64:
		return time.Unix(n, 0), true
	case int:
		return time.Unix(int64(n), 0), true
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return time.Unix(i, 0), true
		}
	}
	return time.Time{}, false
}
