// Package logbuf batches log output: a Writer keeps the lines that slog writes one Write at a
// time and hands them to the real writer every few tens of milliseconds, or at once when
// 64 KiB are pending. A gate verifier logs one decision per request; without it, each
// decision costs a write system call in the server and a read in whatever drains its stderr,
// about as much CPU as the decision's JSON.
//
// The price is that a crash loses at most the last interval's lines (a clean shutdown flushes
// in Close). Decisions of record are the metrics and the store's boarding rows, not the log.
package logbuf
