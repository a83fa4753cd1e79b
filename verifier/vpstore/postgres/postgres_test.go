package postgres

import (
	"context"
	"testing"

	"github.com/idgate/idgate/internal/pgtest"
	"github.com/idgate/idgate/verifier/vpstore"
	"github.com/idgate/idgate/verifier/vpstore/conformance"
)

func freshSchema(t testing.TB) string { return pgtest.FreshDSN(t, "vp_test") }

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) (vpstore.Store, vpstore.Store) {
		dsn := freshSchema(t)
		a, err := Open(context.Background(), dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Open(context.Background(), dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close(); b.Close() })
		return a, b
	})
}
