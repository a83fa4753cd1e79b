// Package procstat reads a Linux process's resident memory and open file descriptors from
// /proc/PID: the verifier exports its own on /metrics, and the load test's soak reads the
// verifier process's from outside, so a leak shows as growth between the start and the end of
// a long run. On systems without /proc the readers return an error.
package procstat
