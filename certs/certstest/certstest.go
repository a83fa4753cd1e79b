package certstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net/url"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
)

// CA is a test certificate authority: a root, or an intermediate under one.
type CA struct {
	Cert  *x509.Certificate
	Key   *ecdsa.PrivateKey
	chain []*x509.Certificate // this CA's own chain up to, excluding, the root
	root  *x509.Certificate
}

// NewCA creates a self-signed P-256 root valid from a year ago to ten years ahead.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key := newKey(t)
	now := time.Now()
	cert, err := certs.CreateCertificate(&x509.Certificate{
		Subject:               pkix.Name{CommonName: "idgate Test Root CA"},
		NotBefore:             now.Add(-365 * 24 * time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, key.Public(), key)
	if err != nil {
		t.Fatalf("certstest: root: %v", err)
	}
	return &CA{Cert: cert, Key: key, root: cert}
}

// Root is the trust anchor certificate.
func (ca *CA) Root() *x509.Certificate { return ca.root }

// Intermediate issues a sub-CA; leaves it issues have chain [leaf, intermediate].
func (ca *CA) Intermediate(t testing.TB, cn string, opts ...Option) *CA {
	t.Helper()
	key := newKey(t)
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(5 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	for _, o := range opts {
		o(tmpl)
	}
	cert, err := certs.CreateCertificate(tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		t.Fatalf("certstest: intermediate %q: %v", cn, err)
	}
	return &CA{Cert: cert, Key: key, root: ca.root, chain: append([]*x509.Certificate{cert}, ca.chain...)}
}

// Option adjusts a certificate template before it is signed.
type Option func(*x509.Certificate)

// WithURI adds a SAN URI (the SD-JWT VC iss for credential signers).
func WithURI(uri string) Option {
	return func(c *x509.Certificate) {
		u, err := url.Parse(uri)
		if err != nil {
			panic("certstest: bad URI " + uri)
		}
		c.URIs = append(c.URIs, u)
	}
}

// WithDNS adds SAN DNS names.
func WithDNS(names ...string) Option {
	return func(c *x509.Certificate) { c.DNSNames = append(c.DNSNames, names...) }
}

// WithValidity sets the validity window.
func WithValidity(notBefore, notAfter time.Time) Option {
	return func(c *x509.Certificate) { c.NotBefore, c.NotAfter = notBefore, notAfter }
}

// Expired makes a certificate that expired a day ago.
func Expired() Option {
	now := time.Now()
	return WithValidity(now.Add(-48*time.Hour), now.Add(-24*time.Hour))
}

// NotYetValid makes a certificate valid only from tomorrow.
func NotYetValid() Option {
	now := time.Now()
	return WithValidity(now.Add(24*time.Hour), now.Add(48*time.Hour))
}

// WithKeyUsage replaces the key usage (default DigitalSignature).
func WithKeyUsage(ku x509.KeyUsage) Option { return func(c *x509.Certificate) { c.KeyUsage = ku } }

// WithExtKeyUsage replaces the extended key usages (idgate's included) with eku (e.g.
// ServerAuth for TLS).
func WithExtKeyUsage(eku ...x509.ExtKeyUsage) Option {
	return func(c *x509.Certificate) { c.ExtKeyUsage, c.UnknownExtKeyUsage = eku, nil }
}

// WithProfile issues exactly a certificate of profile p: its key usage and its one EKU.
func WithProfile(p certs.Profile) Option { return p.Apply }

// Issue creates a P-256 leaf valid from an hour ago for a year and returns it as a certs.Signer
// whose Chain is [leaf, intermediates...]. By default it may sign for every idgate purpose:
// DigitalSignature and the credential, status-list, boarding-pass and request signing EKUs, so one test
// signer serves any role; WithProfile issues one role's certificate exactly, WithKeyUsage and
// WithExtKeyUsage make the wrong ones.
func (ca *CA) Issue(t testing.TB, cn string, opts ...Option) certs.Signer {
	t.Helper()
	key := newKey(t)
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{
			certs.OIDCredentialSigning, certs.OIDStatusListSigning, certs.OIDBoardingPassSigning, certs.OIDRequestSigning,
		},
	}
	for _, o := range opts {
		o(tmpl)
	}
	cert, err := certs.CreateCertificate(tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		t.Fatalf("certstest: issue %q: %v", cn, err)
	}
	s, err := certs.NewSigner(key, append([]*x509.Certificate{cert}, ca.chain...))
	if err != nil {
		t.Fatalf("certstest: signer %q: %v", cn, err)
	}
	return s
}

// Anchor trusts this CA's root for (p, scope), limited to names if any are given.
func (ca *CA) Anchor(p certs.Purpose, scope string, names ...string) certs.Anchor {
	return certs.Anchor{Purpose: p, Scope: scope, Roots: []*x509.Certificate{ca.root}, Names: names}
}

// TrustList is a trust list with the single anchor ca.Anchor(p, scope, names...).
func (ca *CA) TrustList(p certs.Purpose, scope string, names ...string) *certs.TrustList {
	return certs.NewTrustList(ca.Anchor(p, scope, names...))
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("certstest: key: %v", err)
	}
	return k
}

// Chain is the CA's certificate chain up to and including the root (for PEM trust files).
func (ca *CA) Chain() []*x509.Certificate {
	if ca.Cert == ca.root {
		return []*x509.Certificate{ca.root}
	}
	return append(append([]*x509.Certificate{}, ca.chain...), ca.root)
}
