package certs_test

import (
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
)

// TestTrustListES256Key: a precomputed verifier appears for a leaf whose chain verified, and
// never for a key whose chain was refused.
func TestTrustListES256Key(t *testing.T) {
	ca, other := certstest.NewCA(t), certstest.NewCA(t)
	const cn = "idgate Employee ID Issuer"
	trust := certs.NewTrustList(ca.Anchor(certs.PurposeCredential, "EmployeeID", cn))
	good, bad := ca.Issue(t, cn), other.Issue(t, cn)
	if _, err := trust.Verify(certs.PurposeCredential, "EmployeeID", bad.Chain(), time.Now()); err == nil {
		t.Fatal("untrusted chain verified")
	}
	if _, err := trust.Verify(certs.PurposeCredential, "EmployeeID", good.Chain(), time.Now()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for trust.ES256Key(good.Chain()[0].PublicKey) == nil {
		if time.Now().After(deadline) {
			t.Fatal("no precomputed key for a verified leaf within 20 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if k := trust.ES256Key(good.Chain()[0].PublicKey); !k.Public().Equal(good.Chain()[0].PublicKey) {
		t.Fatal("precomputed key is another key")
	}
	if trust.ES256Key(bad.Chain()[0].PublicKey) != nil {
		t.Fatal("precomputed key for a refused leaf")
	}
}
