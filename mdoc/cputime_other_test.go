//go:build !linux

package mdoc

import "time"

// threadCPU falls back to wall time where there is no per-thread CPU clock.
func threadCPU() int64 { return time.Now().UnixNano() }
