package logbuf

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuf is a bytes.Buffer safe for the Writer's background flushes, counting writes.
type syncBuf struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestBatchesAndKeepsEveryLine(t *testing.T) {
	out := &syncBuf{}
	w := New(out, time.Hour) // only size and Close flush
	logger := slog.New(slog.NewJSONHandler(w, nil))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				logger.Info("gate decision", "g", g, "i", i)
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2000 {
		t.Fatalf("%d lines, want 2000", len(lines))
	}
	for _, l := range lines { // no line torn by concurrent writers
		if !strings.HasPrefix(l, `{"time":`) || !strings.HasSuffix(l, "}") {
			t.Fatalf("torn line %q", l)
		}
	}
	if out.writes >= 2000/10 {
		t.Fatalf("%d writes for 2000 lines: not batched", out.writes)
	}
	// After Close, lines go straight through.
	logger.Info("late")
	if !strings.Contains(out.String(), `"msg":"late"`) {
		t.Fatal("line after Close lost")
	}
}

func TestIntervalFlush(t *testing.T) {
	out := &syncBuf{}
	w := New(out, 5*time.Millisecond)
	defer w.Close()
	fmt.Fprintln(w, "one line")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "one line") {
		if time.Now().After(deadline) {
			t.Fatal("pending line not flushed by the interval")
		}
		time.Sleep(time.Millisecond)
	}
}

// flaky fails its first write only.
type flaky struct {
	syncBuf
	failed bool
}

func (f *flaky) Write(p []byte) (int, error) {
	if !f.failed {
		f.failed = true
		return 0, errors.New("disk full")
	}
	return f.syncBuf.Write(p)
}

// TestWriteErrorLosesOneBatch: a failed write drops its batch and is reported (by Flush, and
// by Close), but later lines are still written.
func TestWriteErrorLosesOneBatch(t *testing.T) {
	out := &flaky{}
	w := New(out, time.Hour)
	fmt.Fprintln(w, "lost")
	if err := w.Flush(); err == nil {
		t.Fatal("flush error lost")
	}
	fmt.Fprintln(w, "kept")
	if err := w.Flush(); err != nil {
		t.Fatalf("flush after a transient error: %v", err)
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close does not report the earlier error")
	}
	if got := out.String(); got != "kept\n" {
		t.Fatalf("written %q, want the line after the error", got)
	}
}
