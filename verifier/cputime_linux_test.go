package verifier

import "golang.org/x/sys/unix"

// threadCPU returns the CPU time consumed by the calling OS thread (the benchmark locks its
// goroutine to one). On a shared machine it excludes the time this process spends waiting for
// a core, which wall-clock timing charges to whatever happened to be running.
func threadCPU() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
