//go:build !linux

package liveness

func threadCPU() int64 { return 0 }
