// Package slot picks a never-used status-list index uniformly at random, for every storage
// backend. Reusing an index would let a verifier link two credentials, and sequential
// indices leak issuance order, so the choice is random (crypto/rand in production) and the
// backend's ledger of used indices (a UNIQUE key in SQL) is the authority.
//
// Algorithm: rejection sampling in batches: draw Batch uniform candidates, ask the backend
// which are taken, keep the first free one. Each candidate is uniform over all indices, so
// the accepted one is uniform over the free ones, and the expected cost is size/free probes
// (10 at 90% full, one round trip per batch). After Rounds batches miss (a nearly full list),
// fall back to scanning windows from a random start and taking the first free index, which
// always terminates but favours indices right after long used runs.
package slot
