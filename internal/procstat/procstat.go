package procstat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// maxStatus bounds what is read of /proc/PID/status (a few KiB on every kernel).
const maxStatus = 64 << 10

// ErrFormat is returned when /proc/PID/status lacks a readable VmRSS line.
var ErrFormat = errors.New("procstat: no VmRSS in /proc status")

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
