// Package storetest is the conformance suite every gate.Store implementation must pass:
// gate round trips, single-use boarding (also under concurrency, and by request), enrolment
// replace, batch enrolment, enrolments since a time, retention purge and, for stores that
// share nonces (gate.NonceStore), single-use nonces.
package storetest

import (
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
)

var (
	t0               = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	flightA, flightB = "IG0101/2026-11-27", "IG0202/2026-11-27"
)

// Run runs every conformance test on a store of its own; newStore returns an empty store
// (closed by the caller's cleanup).
func Run(t *testing.T, newStore func(t *testing.T) gate.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s gate.Store)
	}{
		{"Gates", testGates},
		{"SingleUse", testSingleUse},
		{"RequestThatBoarded", testRequestThatBoarded},
		{"SingleUseConcurrent", testSingleUseConcurrent},
		{"EnrolReplace", testEnrolReplace},
		{"EnrolmentStatusRef", testEnrolmentStatusRef},
		{"EnrolmentIDExpires", testEnrolmentIDExpires},
		{"EnrolBatch", testEnrolBatch},
		{"Purge", testPurge},
		{"EnrolmentsSince", testEnrolmentsSince},
		{"Nonces", testNonces},
		{"PurgeAfterDelay", testPurgeAfterDelay},
		{"PurgeAfterGateDelay", testPurgeAfterGateDelay},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}
