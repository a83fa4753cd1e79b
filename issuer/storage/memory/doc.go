// Package memory is the in-process storage.Storage backend, for tests and demos: maps
// guarded by one mutex, so every method is a transaction and Update* functions run under the
// lock. Records are deep-copied in and out and normalised exactly as the SQL backends return
// them (UTC nanosecond times, JSON-decoded attributes), so it passes the same conformance
// suite. Nothing survives Close.
package memory
