package loadtest

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// cpuMeter reads a process's consumed CPU time (user + system); ok is false when unknown.
type cpuMeter interface {
	CPU() (d time.Duration, ok bool)
}

// selfCPU is this process (the load generator).
type selfCPU struct{}

func (selfCPU) CPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// procCPU is another process, read from /proc/PID/stat (Linux).
type procCPU int

// childCPU is the self-contained verifier: its CPU from /proc and its process handle, through
// which the timed phases are signalled (os.Process.Signal uses a pidfd, so a signal never
// reaches another process that was given a recycled PID).
type childCPU struct {
	procCPU
	p *os.Process
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on every Linux ABI Go supports.
const clockTicks = 100

func (p procCPU) CPU() (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", int(p)))
	if err != nil {
		return 0, false
	}
	return parseProcStat(b)
}

// parseProcStat reads utime + stime (fields 14 and 15) from a /proc/PID/stat line. The comm
// field (2) is parenthesised and may contain spaces or parentheses, so fields are counted
// from the last ')'.
func parseProcStat(b []byte) (time.Duration, bool) {
	if len(b) > 4096 {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseUint(string(f[11]), 10, 63)
	s, err2 := strconv.ParseUint(string(f[12]), 10, 63)
	if err1 != nil || err2 != nil || u > 1<<40 || s > 1<<40 {
		return 0, false
	}
	return time.Duration(u+s) * (time.Second / clockTicks), true
}

// cpuSpan measures CPU used by m between start and stop.
type cpuSpan struct {
	m     cpuMeter
	start time.Duration
	ok    bool
}

func startCPU(m cpuMeter) cpuSpan {
	if m == nil {
		return cpuSpan{}
	}
	d, ok := m.CPU()
	return cpuSpan{m: m, start: d, ok: ok}
}

// used is the CPU used since start; ok is false when unknown.
func (c cpuSpan) used() (time.Duration, bool) {
	if !c.ok {
		return 0, false
	}
	d, ok := c.m.CPU()
	if !ok {
		return 0, false
	}
	return d - c.start, true
}

// perRequestUS is d divided by n, in microseconds (0 when n is 0).
func perRequestUS(d time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(d) / float64(time.Microsecond) / float64(n)
}

// perRequest is the CPU used since start divided by n, in microseconds (0 when unknown).
func (c cpuSpan) perRequest(n int) float64 {
	d, ok := c.used()
	if !ok {
		return 0
	}
	return perRequestUS(d, n)
}
