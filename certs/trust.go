package certs

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"slices"
	"time"

	"github.com/idgate/idgate/certs/es256"
)

// Purpose is what a trust anchor may be used to verify.
type Purpose string

const (
	PurposeCredential   Purpose = "credential"    // SD-JWT VC issuer signatures; Scope is the vct
	PurposeStatusList   Purpose = "status-list"   // status list tokens; Scope is "*"
	PurposeBoardingPass Purpose = "boarding-pass" // BCBP signatures; Scope is the airline designator
	// PurposeVerifier: relying parties' OpenID4VP Request Object signatures, checked by
	// wallets; Scope is the client_id (e.g. "x509_san_dns:rp.example") or "*".
	PurposeVerifier Purpose = "verifier"
	// PurposeMdoc: ISO/IEC 18013-5 Document Signer certificates under an IACA root; Scope is
	// the mdoc docType (e.g. "org.iso.18013.5.1.mDL").
	PurposeMdoc Purpose = "mdoc"
	// PurposeWalletProvider: wallet providers' OpenID4VCI key attestations (key-attestation+jwt),
	// checked by the issuer; Scope is the attestation's iss (the wallet provider) or "*".
	PurposeWalletProvider Purpose = "wallet-provider"
)

func (p Purpose) valid() bool {
	return p == PurposeCredential || p == PurposeStatusList || p == PurposeBoardingPass || p == PurposeVerifier || p == PurposeMdoc || p == PurposeWalletProvider
}

// ScopeAny in an Anchor's Scope matches every scope of its purpose.
const ScopeAny = "*"

// Anchor trusts Roots for one (Purpose, Scope).
type Anchor struct {
	Purpose Purpose
	Scope   string              // credential: the vct it may sign ("*" any); boarding-pass: airline designator; status-list: "*"
	Roots   []*x509.Certificate // trust anchors for chains presented in x5c
	Names   []string            // allowed leaf Subject CNs; empty = any leaf under the roots
	Certs   []*x509.Certificate // boarding-pass: pinned signing certificates (BCBP carries no chain)
}

func (a *Anchor) matches(p Purpose, scope string) bool {
	return a.Purpose == p && (a.Scope == ScopeAny || a.Scope == scope)
}

func (a *Anchor) hasRoot(c *x509.Certificate) bool {
	return slices.ContainsFunc(a.Roots, func(r *x509.Certificate) bool { return bytes.Equal(r.Raw, c.Raw) })
}

func (a *Anchor) allows(cn string) bool { return len(a.Names) == 0 || slices.Contains(a.Names, cn) }

// TrustList says which roots, and which leaf names under them, are trusted for what. It is
// immutable after construction and safe for concurrent use; successful verifications are cached.
type TrustList struct {
	anchors []Anchor
	cache   *verifyCache
	// fast holds precomputed ES256 verifiers for the keys this list has accepted: chain leaves
	// that verified and pinned certificates that Certificates returned.
	fast *es256.Cache
}

// maxFastKeys bounds the precomputed keys (~400 KB each, 25 MB at most): a deployment trusts
// a few dozen issuer and airline keys at a time; beyond that the least recently used ones
// fall back to crypto/ecdsa.
const maxFastKeys = 64

// NewTrustList builds a trust list from anchors (copied).
func NewTrustList(anchors ...Anchor) *TrustList {
	t := &TrustList{cache: newVerifyCache(defaultCacheSize), fast: es256.NewCache(maxFastKeys)}
	for _, a := range anchors {
		a.Roots = slices.Clone(a.Roots)
		a.Names = slices.Clone(a.Names)
		a.Certs = slices.Clone(a.Certs)
		t.anchors = append(t.anchors, a)
	}
	return t
}

// Anchors returns a copy of the anchors (for display and for writing a trust file).
func (t *TrustList) Anchors() []Anchor { return slices.Clone(t.anchors) }

// Verify validates chain (leaf first, as from x5c) to a root trusted for (p, scope) at time at
// (the credential's issuance time, or now) with crypto/x509, then checks that the leaf is a
// certificate of p's signer profile (ProfileFor: key usage and extended key usage; ErrKeyUsage,
// ErrExtKeyUsage) and that its Subject CN is on the anchor's allow-list.
// It returns the leaf. Identical chains verified before cost a hash plus the validity check.
func (t *TrustList) Verify(p Purpose, scope string, chain []*x509.Certificate, at time.Time) (*x509.Certificate, error) {
	if len(chain) == 0 || len(chain) > maxChainLen {
		return nil, newErr(ErrMalformed, nil, "chain has %d certificates", len(chain))
	}
	ders := make([][]byte, len(chain))
	for i, c := range chain {
		if c == nil {
			return nil, newErr(ErrMalformed, nil, "chain[%d] is nil", i)
		}
		ders[i] = c.Raw
	}
	key := cacheKey(p, scope, ders)
	if leaf, ok := t.cache.get(key, at); ok {
		return leaf, nil
	}
	return t.verifySlow(key, p, scope, chain, at)
}

// VerifyX5C is ParseX5C followed by Verify, but a cached chain skips certificate parsing too: the
// cache is keyed on the DER bytes, so the hot path is base64 decoding plus one SHA-256.
func (t *TrustList) VerifyX5C(p Purpose, scope string, x5c []string, at time.Time) (*x509.Certificate, error) {
	ders, err := decodeX5C(x5c)
	if err != nil {
		return nil, err
	}
	return t.VerifyDER(p, scope, ders, at)
}

// VerifyDER is Verify over DER certificates (leaf first, as an mdoc's x5chain carries them): a
// cached chain costs one SHA-256 and no certificate parsing.
func (t *TrustList) VerifyDER(p Purpose, scope string, ders [][]byte, at time.Time) (*x509.Certificate, error) {
	if len(ders) == 0 || len(ders) > maxChainLen {
		return nil, newErr(ErrMalformed, nil, "chain has %d certificates", len(ders))
	}
	key := cacheKey(p, scope, ders)
	if leaf, ok := t.cache.get(key, at); ok {
		return leaf, nil
	}
	chain, err := parseDERs(ders)
	if err != nil {
		return nil, err
	}
	return t.verifySlow(key, p, scope, chain, at)
}

func (t *TrustList) verifySlow(key [32]byte, p Purpose, scope string, chain []*x509.Certificate, at time.Time) (*x509.Certificate, error) {
	var anchors []*Anchor
	roots := x509.NewCertPool()
	for i := range t.anchors {
		if a := &t.anchors[i]; a.matches(p, scope) {
			anchors = append(anchors, a)
			for _, r := range a.Roots {
				roots.AddCert(r)
			}
		}
	}
	if len(anchors) == 0 {
		return nil, newErr(ErrUntrusted, nil, "no trust anchor for %s %q", p, scope)
	}
	// Check the presented certificates' windows first so an expired leaf reads as such rather
	// than as a generic chain failure.
	for i, c := range chain {
		if at.Before(c.NotBefore) || at.After(c.NotAfter) {
			return nil, newErr(ErrNotValidAtTime, nil, "chain[%d] %q valid %s..%s, not at %s", i, c.Subject.CommonName,
				c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
		}
	}
	leaf := chain[0]
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		// idgate's EKUs are private OIDs, which VerifyOptions cannot name: the leaf's profile
		// (key usage and EKU) is checked below instead.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		var inv x509.CertificateInvalidError
		if errors.As(err, &inv) && inv.Reason == x509.Expired {
			return nil, newErr(ErrNotValidAtTime, err, "chain for %s %q", p, scope)
		}
		return nil, newErr(ErrUntrusted, err, "chain for %s %q", p, scope)
	}
	if err := checkPurpose(p, leaf); err != nil {
		return nil, err
	}
	rootMatched := false
	for _, vc := range chains {
		root := vc[len(vc)-1]
		for _, a := range anchors {
			if !a.hasRoot(root) {
				continue
			}
			rootMatched = true
			if a.allows(leaf.Subject.CommonName) {
				t.cache.put(key, leaf, window(vc))
				t.fast.Warm(leaf.PublicKey)
				return leaf, nil
			}
		}
	}
	if !rootMatched {
		return nil, newErr(ErrUntrusted, nil, "chain for %s %q ends at no anchor root", p, scope)
	}
	return nil, newErr(ErrNameNotAllowed, nil, "leaf %q not allowed for %s %q", leaf.Subject.CommonName, p, scope)
}

// window is the intersection of the validity periods of a verified chain, root included.
func window(chain []*x509.Certificate) validity {
	w := validity{notBefore: chain[0].NotBefore, notAfter: chain[0].NotAfter}
	for _, c := range chain[1:] {
		if c.NotBefore.After(w.notBefore) {
			w.notBefore = c.NotBefore
		}
		if c.NotAfter.Before(w.notAfter) {
			w.notAfter = c.NotAfter
		}
	}
	return w
}

// Certificates returns the pinned certificates for (p, scope) that are valid at at, chain to their
// anchor's roots, are of p's signer profile and carry an allowed name. BCBP signatures carry no chain, so the
// verifier tries these keys.
func (t *TrustList) Certificates(p Purpose, scope string, at time.Time) []*x509.Certificate {
	var out []*x509.Certificate
	for i := range t.anchors {
		a := &t.anchors[i]
		if !a.matches(p, scope) || len(a.Certs) == 0 {
			continue
		}
		roots := x509.NewCertPool()
		for _, r := range a.Roots {
			roots.AddCert(r)
		}
		for _, c := range a.Certs {
			if at.Before(c.NotBefore) || at.After(c.NotAfter) || checkPurpose(p, c) != nil || !a.allows(c.Subject.CommonName) {
				continue
			}
			if _, err := c.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				continue
			}
			if !slices.ContainsFunc(out, func(o *x509.Certificate) bool { return bytes.Equal(o.Raw, c.Raw) }) {
				out = append(out, c)
				t.fast.Warm(c.PublicKey)
			}
		}
	}
	return out
}

// ES256Key returns a precomputed ES256 verifier for pub (see certs/es256) when pub is a key
// this list has accepted and its table is built, else nil: callers then verify with
// crypto/ecdsa. It never builds one for a key the list has not accepted.
func (t *TrustList) ES256Key(pub crypto.PublicKey) *es256.Key { return t.fast.Get(pub) }

// checkPurpose checks leaf against the signer profile of purpose p.
func checkPurpose(p Purpose, leaf *x509.Certificate) error {
	prof, ok := ProfileFor(p)
	if !ok {
		return newErr(ErrUntrusted, nil, "no signer profile for purpose %q", p)
	}
	return prof.Check(leaf)
}
