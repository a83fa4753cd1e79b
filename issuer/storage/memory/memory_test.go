package memory

import (
	"testing"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/conformance"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) storage.Storage {
		s := New()
		t.Cleanup(func() { s.Close() })
		return s
	})
}
