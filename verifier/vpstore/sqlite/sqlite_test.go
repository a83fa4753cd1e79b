package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/idgate/idgate/verifier/vpstore"
	"github.com/idgate/idgate/verifier/vpstore/conformance"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) (vpstore.Store, vpstore.Store) {
		path := filepath.Join(t.TempDir(), "vp.db")
		a, err := Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close(); b.Close() })
		return a, b
	})
}
