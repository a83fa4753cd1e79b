// Package certstest is an in-process test CA for the tests of every idgate package: they issue
// the certificates they need in code — valid, expired, not yet valid, wrong key usage, SAN URI,
// under an intermediate — instead of pasting fixture blobs.
//
// Flow: ca := NewCA(t); s := ca.Issue(t, "idgate Status List Signer", WithURI(iss)) gives a
// certs.Signer whose Chain() goes into x5c; ca.TrustList(purpose, scope, names...) (or
// ca.Anchor for combining) gives the verifier side. Keys are P-256 and never leave the process.
package certstest
