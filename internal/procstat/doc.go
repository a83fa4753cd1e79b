// Package procstat reads a Linux process's resident memory and open file descriptors from
// /proc/PID, and the machine's busy CPU time from /proc/stat: the verifier exports its own
// figures on /metrics, and the load test's soak reads the verifier process's from outside, so
// a leak shows as growth between the start and the end of a long run, and the CPU the
// neighbours took shows beside a latency that grew. On systems without /proc the readers
// return an error.
package procstat
