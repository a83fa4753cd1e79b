package liveness

import "golang.org/x/sys/unix"

// threadCPU is the CPU time of the calling OS thread (benchmarks lock their goroutine to it):
// on a shared machine it leaves out the time spent waiting for a core.
func threadCPU() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
