package gate_test

import (
	"testing"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/storetest"
)

func TestMemoryStoreConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) gate.Store { return gate.NewMemoryStore() })
}
