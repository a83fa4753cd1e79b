package procstat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// maxStatus bounds what is read of /proc/PID/status (a few KiB on every kernel).
const maxStatus = 64 << 10

// ErrFormat is returned when a /proc text lacks the line or fields a reader needs.
var ErrFormat = errors.New("procstat: unreadable /proc text")

// RSS returns the resident set size of process pid in bytes (VmRSS of /proc/PID/status).
func RSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	b := make([]byte, maxStatus)
	n, err := f.Read(b)
	if n == 0 && err != nil {
		return 0, err
	}
	return ParseRSS(b[:n])
}

// ParseRSS reads the VmRSS line ("VmRSS:   12345 kB") of a /proc/PID/status text.
func ParseRSS(status []byte) (int64, error) {
	for _, line := range bytes.Split(status, []byte{'\n'}) {
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, ErrFormat
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kb < 0 || kb > 1<<40 {
			return 0, ErrFormat
		}
		return kb << 10, nil
	}
	return 0, ErrFormat
}

// OpenFDs counts the open file descriptors of process pid (entries of /proc/PID/fd).
func OpenFDs(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return 0, err
	}
	if pid == os.Getpid() {
		return len(names) - 1, nil // the descriptor reading the directory is not the process's
	}
	return len(names), nil
}

// clockTicks is USER_HZ, the unit of /proc/stat: 100 on every Linux ABI Go supports.
const clockTicks = 100

// MachineCPU returns the CPU time all processes of the machine have used since boot (the
// "cpu" line of /proc/stat: user, nice, system, irq, softirq and steal; not idle or iowait),
// so that over an interval, less one's own processes, it says how busy the neighbours were.
func MachineCPU() (time.Duration, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	b := make([]byte, 4096) // the first line is well within
	n, err := f.Read(b)
	if n == 0 && err != nil {
		return 0, err
	}
	return ParseMachineCPU(b[:n])
}

// ParseMachineCPU reads the busy time of the aggregate "cpu" line of a /proc/stat text.
func ParseMachineCPU(stat []byte) (time.Duration, error) {
	line, _, _ := bytes.Cut(stat, []byte{'\n'})
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return 0, ErrFormat
	}
	var busy uint64
	for i, v := range f[1:9] { // user nice system idle iowait irq softirq steal
		n, err := strconv.ParseUint(string(v), 10, 63)
		if err != nil || n > 1<<50 {
			return 0, ErrFormat
		}
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return time.Duration(busy) * (time.Second / clockTicks), nil
}
