package verifier

import (
	"testing"

	"github.com/idgate/idgate/gate"
)

// The server reads every body the gate's decoders accept, so an oversized capture is the
// gate's malformed_request, not the server's body_too_large.
func TestServerBodyLimitAdmitsGateBodies(t *testing.T) {
	if MaxServerBodyBytes < gate.MaxBodyBytes {
		t.Fatalf("MaxServerBodyBytes %d < gate.MaxBodyBytes %d", MaxServerBodyBytes, gate.MaxBodyBytes)
	}
}
