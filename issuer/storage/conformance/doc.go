// Package conformance is the one behavioural test suite every storage.Storage backend runs
// (the pattern of dex's storage/conformance): each backend's _test.go calls Run with a
// factory that returns a fresh, empty store, and RunDurability with an opener that reopens
// the same database. The suite checks every method, the typed errors (not found, already
// exists, conflict, invalid), that an aborted updater writes nothing, that concurrent
// redeemers of one offer have a single winner, that concurrent IssueCredential calls get
// distinct slots until the list is full, and that audit sequence numbers strictly increase.
//
// Fixtures are built in code; hashes are SHA-256 of random secrets as the issuer makes them.
package conformance
