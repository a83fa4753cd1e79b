// Package vpstore keeps a relying party's OpenID4VP transactions where every verifier instance
// sees them: in memory for one process, SQLite for one instance that restarts, PostgreSQL when
// several instances sit behind a load balancer (a transaction created on one is answered and
// read on others).
//
// Data flow. The verifier creates a Transaction (Create, bounded per client), wallets fetch its
// request and post their response (Get, then Update: the one atomic read-modify-write, so a
// pending transaction is answered once whichever instance receives the answers), the relying
// party reads the result (Update again, so it is read once), and DeleteExpired sweeps. The
// store knows only the status (to count open transactions) and keeps Data opaque.
//
// Every backend runs the conformance suite in vpstore/conformance.
package vpstore
