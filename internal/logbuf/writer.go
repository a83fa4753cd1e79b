package logbuf

import (
	"io"
	"sync"
	"time"
)

// DefaultInterval is how long a line may wait in the buffer.
const DefaultInterval = 50 * time.Millisecond

// flushAt is the pending size at which Write flushes at once (the caller pays for it), which
// also bounds the memory a burst can take.
const flushAt = 64 << 10

// Writer is an io.Writer that batches writes to an underlying writer. Safe for concurrent use;
// each Write's bytes stay contiguous (slog writes whole lines).
type Writer struct {
	out io.Writer

	mu      sync.Mutex
	pending []byte
	spare   []byte
	err     error // the first write error of out, for Close; later lines are still tried
	closed  bool

	flushMu sync.Mutex // serialises writes to out, so batches keep their order
	stop    chan struct{}
	done    chan struct{}
}

// New returns a Writer that flushes to out every interval (DefaultInterval if ≤ 0) until Close.
func New(out io.Writer, interval time.Duration) *Writer {
	if interval <= 0 {
		interval = DefaultInterval
	}
	w := &Writer{out: out, stop: make(chan struct{}), done: make(chan struct{})}
	go w.loop(interval)
	return w
}

func (w *Writer) loop(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			w.Flush()
		case <-w.stop:
			return
		}
	}
}

// Write buffers p. After Close it writes through, so late lines are not lost.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		w.flushMu.Lock()
		defer w.flushMu.Unlock()
		return w.out.Write(p)
	}
	w.pending = append(w.pending, p...)
	full := len(w.pending) >= flushAt
	w.mu.Unlock()
	if full {
		if err := w.Flush(); err != nil {
			return len(p), nil // p is buffered or written; the error belongs to earlier lines
		}
	}
	return len(p), nil
}

// Flush writes what is pending.
func (w *Writer) Flush() error {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	w.mu.Lock()
	batch := w.pending
	w.pending, w.spare = w.spare[:0], nil
	w.mu.Unlock()
	if len(batch) == 0 {
		w.mu.Lock()
		w.spare = batch
		w.mu.Unlock()
		return nil
	}
	// A failed batch is dropped (an unwritable stderr must not grow memory), but the next
	// batch is tried again: a transient error loses one interval's lines, not the rest.
	_, err := w.out.Write(batch)
	w.mu.Lock()
	if err != nil && w.err == nil {
		w.err = err
	}
	if cap(batch) <= 4*flushAt { // reuse the buffer unless a burst grew it large
		w.spare = batch[:0]
	}
	w.mu.Unlock()
	return err
}

// Close stops the background flushes and writes what is pending. Writes after Close go
// straight to the underlying writer.
func (w *Writer) Close() error {
	w.mu.Lock()
	first := !w.closed
	w.closed = true
	w.mu.Unlock()
	if first {
		close(w.stop)
		<-w.done
	}
	err := w.Flush()
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		err = w.err
	}
	return err
}
