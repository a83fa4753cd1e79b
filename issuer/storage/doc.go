// Package storage defines the issuer's persistence contract: one Storage interface, the
// records it holds (holders, credential offers, access tokens, credentials with their
// status-list slots, status lists, operator tokens, an append-only audit log) and the
// sentinel errors every backend returns.
//
// Data flow: the issuer service validates a request, hashes every bearer secret
// (pre-authorised codes, access tokens, operator tokens: only SHA-256 digests are stored),
// and calls one Storage method per state change. Single-use transitions (redeeming a
// pre-authorised code, spending a c_nonce) go through the Update* methods, which run the
// caller's function on a private copy of the current record inside one transaction, so two
// concurrent redeemers cannot both succeed. IssueCredential reserves a never-used random
// status-list slot and records the credential in the same transaction; StatusEntries then
// feeds the Token Status List publisher.
//
// Backends live in subpackages: memory (tests, demos), sqlite (the embedded default) and
// postgres; sqlstore holds the SQL they share, and conformance is the one test suite all of
// them run.
//
// Errors: every failure wraps exactly one of ErrNotFound, ErrAlreadyExists, ErrConflict,
// ErrInvalid or ErrClosed (test with errors.Is), except errors returned by an updater's
// function, which are returned unchanged, and transport errors of the database itself.
// Messages carry record IDs but never hashes, attributes or other secrets.
package storage
