package gate

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
)

type countingKeys struct {
	calls int
	cert  *x509.Certificate
}

func (c *countingKeys) Certificates(_ certs.Purpose, scope string, at time.Time) []*x509.Certificate {
	c.calls++
	if scope != "IG" || at.Before(c.cert.NotBefore) || at.After(c.cert.NotAfter) {
		return nil
	}
	return []*x509.Certificate{c.cert}
}

func TestCachedKeys(t *testing.T) {
	now := time.Now()
	inner := &countingKeys{cert: &x509.Certificate{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(30 * time.Second)}}
	c := newCachedKeys(inner, time.Minute)
	for range 3 {
		if got := c.Certificates(certs.PurposeBoardingPass, "IG", now); len(got) != 1 {
			t.Fatalf("got %d certificates", len(got))
		}
	}
	if inner.calls != 1 {
		t.Fatalf("%d calls to the trust list, want 1", inner.calls)
	}
	// Past the certificate's NotAfter the cached answer is not reused, whatever the ttl.
	if got := c.Certificates(certs.PurposeBoardingPass, "IG", now.Add(40*time.Second)); len(got) != 0 || inner.calls != 2 {
		t.Fatalf("expired certificate served from cache: %d certs, %d calls", len(got), inner.calls)
	}
	// Scopes are cached separately; an empty answer is cached too.
	c.Certificates(certs.PurposeBoardingPass, "XX", now)
	c.Certificates(certs.PurposeBoardingPass, "XX", now)
	if inner.calls != 3 {
		t.Fatalf("%d calls", inner.calls)
	}
	// ttl bounds reuse even inside validity.
	inner.cert.NotAfter = now.Add(time.Hour)
	c.Certificates(certs.PurposeBoardingPass, "IG", now.Add(2*time.Minute))
	if inner.calls != 4 {
		t.Fatalf("%d calls after ttl", inner.calls)
	}
}
