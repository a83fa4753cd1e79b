package vpstore_test

import (
	"testing"

	"github.com/idgate/idgate/verifier/vpstore"
	"github.com/idgate/idgate/verifier/vpstore/conformance"
)

func TestMemoryConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) (vpstore.Store, vpstore.Store) {
		m := vpstore.NewMemory(nil)
		return m, m
	})
}
