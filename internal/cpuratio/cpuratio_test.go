package cpuratio

import (
	"crypto/sha256"
	"runtime"
	"testing"
)

// TestThreadCPU checks that the clock advances with work done on the calling thread.
func TestThreadCPU(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0 := ThreadCPU()
	b := make([]byte, 1<<20)
	for i := 0; i < 50; i++ {
		s := sha256.Sum256(b)
		b[0] = s[0]
	}
	if c1 := ThreadCPU(); c1 <= c0 {
		t.Fatalf("thread CPU clock did not advance: %d then %d", c0, c1)
	}
}

// sink keeps the hashes from being optimised away.
var sink [sha256.Size]byte

// BenchmarkRun measures one SHA-256 of 4 KiB against one of 2 KiB: cpu-ratio is about 2.
func BenchmarkRun(b *testing.B) {
	big, small := make([]byte, 4096), make([]byte, 2048)
	Run(b, func() error { sink = sha256.Sum256(big); return nil },
		func() bool { sink = sha256.Sum256(small); return true }, "ours-ns/op", "raw-ns/op")
}
