//go:build race

package liveness

// raceEnabled: under the race detector the float loops run ~10× slower; tests that only
// check numbers (no goroutines) skip, the concurrency test still runs.
const raceEnabled = true
