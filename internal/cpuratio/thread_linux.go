package cpuratio

import "golang.org/x/sys/unix"

// ThreadCPU returns the CPU time in nanoseconds consumed by the calling OS thread (the caller
// locks its goroutine to one): unlike wall time, it does not count time spent waiting for a
// core on a shared machine.
func ThreadCPU() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
