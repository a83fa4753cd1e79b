package boardingpass

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
)

var _ Keys = (*certs.TrustList)(nil)

// TestVerifyWithTrustList runs Sign/Verify against the real certs.TrustList with pinned
// airline certificates issued by an in-process CA.
func TestVerifyWithTrustList(t *testing.T) {
	ca := certstest.NewCA(t)
	ig := ca.Issue(t, certs.AirlineCN("IG"))
	u2 := ca.Issue(t, certs.AirlineCN("U2"))
	anchor := func(scope string, s certs.Signer) certs.Anchor {
		a := ca.Anchor(certs.PurposeBoardingPass, scope)
		a.Certs = s.Chain()[:1]
		return a
	}
	trust := certs.NewTrustList(anchor("IG", ig), anchor("U2", u2))
	// The same name under the same root, but a TLS server certificate: not an airline signer.
	tlsIG := ca.Issue(t, certs.AirlineCN("IG"), certstest.WithExtKeyUsage(x509.ExtKeyUsageServerAuth))
	tlsTrust := certs.NewTrustList(anchor("IG", tlsIG))

	p := threeLegs()
	p.Unique.Issuer = "IG"
	unsigned, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	signedIG, err := Sign(unsigned, ig)
	if err != nil {
		t.Fatal(err)
	}
	signedU2, err := Sign(unsigned, u2) // U2's key, but the pass names IG as issuer
	if err != nil {
		t.Fatal(err)
	}
	signedTLS, err := Sign(unsigned, tlsIG)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		in    string
		trust *certs.TrustList
		at    time.Time
		want  error
	}{
		{"issuer's key", signedIG, trust, now, nil},
		{"another airline's key", signedU2, trust, now, ErrSignatureInvalid},
		{"after the certificate expired", signedIG, trust, now.Add(2 * 365 * 24 * time.Hour), ErrUnknownAirline},
		{"TLS server certificate pinned", signedTLS, tlsTrust, now, ErrUnknownAirline},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(tc.in, tc.trust, tc.at)
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}
