// Package cpuratio measures a benchmark's own code against its raw cryptographic floor in the
// same loop: each iteration runs one of each on a locked OS thread, so load from other
// processes on a shared machine hits both alike, and the ratio is reported in wall time and
// in thread CPU time (which leaves out the time spent waiting for a core).
package cpuratio
