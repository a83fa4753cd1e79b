package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
)

const testFlight = "IG0101/2026-11-27"

// boardedRows counts the committed boarding records of testFlight.
func boardedRows(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM boarded WHERE flight = ?`, testFlight).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGroupCommitOneWinnerPerPass: 64 goroutines mark 32 passes twice each at once, so
// batches mix distinct passes and duplicates of one pass; each pass has exactly one winner.
func TestGroupCommitOneWinnerPerPass(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	for round := range 3 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			s := open(t, filepath.Join(t.TempDir(), "gate.db"))
			const passes = 32
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				wins    = map[string]int{}
				already int
				other   []error
			)
			start := make(chan struct{})
			for i := range 2 * passes {
				pass := fmt.Sprintf("p%02d", i%passes)
				wg.Go(func() {
					<-start
					err := s.MarkBoarded(ctx, testFlight, gate.PassID(pass), now, now)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						wins[pass]++
					case errors.Is(err, gate.ErrAlreadyBoarded):
						already++
					default:
						other = append(other, err)
					}
				})
			}
			close(start)
			wg.Wait()
			if len(other) != 0 {
				t.Fatalf("unexpected errors: %v", other)
			}
			if len(wins) != passes || already != passes {
				t.Fatalf("%d passes won, %d already boarded; want %d and %d", len(wins), already, passes, passes)
			}
			for p, n := range wins {
				if n != 1 {
					t.Fatalf("pass %s won %d times", p, n)
				}
			}
			if n := boardedRows(t, s); n != passes {
				t.Fatalf("%d rows committed, want %d", n, passes)
			}
		})
	}
}

// TestFailedBatchFailsEveryItem: when one insert of a batch fails, the transaction rolls
// back, so no item of the batch may report success or "already boarded", and none is stored.
func TestFailedBatchFailsEveryItem(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	s := open(t, filepath.Join(t.TempDir(), "gate.db"))
	if _, err := s.db.Exec(`CREATE TRIGGER poison BEFORE INSERT ON boarded WHEN NEW.pass = 'poison'
		BEGIN SELECT RAISE(ABORT, 'poisoned insert'); END`); err != nil {
		t.Fatal(err)
	}
	// Build the batch by hand: a batch's composition is otherwise up to the scheduler.
	var batch []*markReq
	for _, p := range []string{"a", "b", "a", "poison", "c"} {
		batch = append(batch, &markReq{flight: testFlight, pass: p, departure: ms(now), at: ms(now), done: make(chan error, 1)})
	}
	s.marks.commit(batch)
	for i, r := range batch {
		err := <-r.done
		if err == nil || errors.Is(err, gate.ErrAlreadyBoarded) {
			t.Fatalf("item %d (%s): %v; want the transaction's error", i, r.pass, err)
		}
	}
	if n := boardedRows(t, s); n != 0 {
		t.Fatalf("%d rows of a failed batch were stored", n)
	}
	for _, p := range []string{"a", "b", "c"} { // rolled back: each can still board, once
		if err := s.MarkBoarded(ctx, testFlight, gate.PassID(p), now, now); err != nil {
			t.Fatalf("%s after rollback: %v", p, err)
		}
	}
}

// TestClosedDatabaseFailsAllCallers: with the database gone under the writer, every
// concurrent caller gets an error, none a success.
func TestClosedDatabaseFailsAllCallers(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	s := open(t, filepath.Join(t.TempDir(), "gate.db"))
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 32)
	for i := range errs {
		wg.Go(func() { errs[i] = s.MarkBoarded(ctx, testFlight, gate.PassID(fmt.Sprint(i)), now, now) })
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil || errors.Is(err, gate.ErrAlreadyBoarded) {
			t.Fatalf("caller %d: %v; want the database error", i, err)
		}
	}
}

// TestCloseDrainsQueue: markings queued while the writer is blocked are committed by Close;
// a caller sees nil only for a committed row, and ErrClosed once the store closed.
func TestCloseDrainsQueue(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	path := filepath.Join(t.TempDir(), "gate.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	hold, err := s.db.BeginTx(ctx, nil) // takes the only connection: the writer blocks
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := range errs {
		wg.Go(func() { errs[i] = s.MarkBoarded(ctx, testFlight, gate.PassID(fmt.Sprint(i)), now, now) })
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	time.Sleep(20 * time.Millisecond) // let callers queue and Close start; outcomes are checked either way
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.MarkBoarded(ctx, testFlight, "late", now, now); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	s = open(t, path)
	for i, err := range errs {
		switch {
		case err == nil:
			if err := s.MarkBoarded(ctx, testFlight, gate.PassID(fmt.Sprint(i)), now, now); !errors.Is(err, gate.ErrAlreadyBoarded) {
				t.Fatalf("caller %d saw success but the row is not stored: %v", i, err)
			}
		case errors.Is(err, ErrClosed):
		default:
			t.Fatalf("caller %d: %v", i, err)
		}
	}
}

// TestCancellation drives the queue by hand (no writer goroutine) so both sides of the
// take/withdraw race are exercised deterministically.
func TestCancellation(t *testing.T) {
	now := time.Now()
	s := open(t, filepath.Join(t.TempDir(), "gate.db"))
	g, err := newGroupCommit(s.db) // not running: items stay queued until the test acts
	if err != nil {
		t.Fatal(err)
	}
	req := func(pass string) *markReq {
		return &markReq{flight: testFlight, pass: pass, departure: ms(now), at: ms(now), done: make(chan error, 1)}
	}
	// Hold the write lock, as a writer busy with a batch does: markings queue instead of
	// writing directly.
	g.writing.Lock()
	defer g.writing.Unlock()

	t.Run("cancelled before enqueue writes nothing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := g.mark(ctx, req("early")); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
		if len(g.reqs) != 0 {
			t.Fatal("a cancelled call was enqueued")
		}
	})

	t.Run("cancelled while queued is withdrawn", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		r := req("queued")
		if err := g.mark(ctx, r); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
		g.commit([]*markReq{<-g.reqs}) // the writer comes later and must skip it
		if r.state.Load() != itemWithdrawn || len(r.done) != 0 {
			t.Fatalf("state %d, %d results", r.state.Load(), len(r.done))
		}
		if n := boardedRows(t, s); n != 0 {
			t.Fatalf("withdrawn marking stored %d rows", n)
		}
	})

	t.Run("cancelled after the writer took it waits for the commit", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		r := req("taken")
		res := make(chan error, 1)
		go func() { res <- g.mark(ctx, r) }()
		taken := <-g.reqs // what the writer's batch fill does
		if !taken.state.CompareAndSwap(itemQueued, itemTaken) {
			t.Fatal("could not take a queued item")
		}
		cancel()
		select {
		case err := <-res:
			t.Fatalf("caller returned %v before the commit", err)
		case <-time.After(20 * time.Millisecond):
		}
		results, err := g.write([]*markReq{taken})
		if err != nil {
			t.Fatal(err)
		}
		taken.done <- results[0]
		if err := <-res; err != nil {
			t.Fatalf("committed marking reported %v", err)
		}
		if n := boardedRows(t, s); n != 1 {
			t.Fatalf("%d rows, want 1", n)
		}
	})
}

// TestDirectWriteWhenIdle: with nothing queued and no batch being written, a marking is
// written by its caller (no hand-off to the writer) with the same outcomes.
func TestDirectWriteWhenIdle(t *testing.T) {
	now := time.Now()
	s := open(t, filepath.Join(t.TempDir(), "gate.db"))
	g, err := newGroupCommit(s.db) // no writer goroutine: only a direct write can answer
	if err != nil {
		t.Fatal(err)
	}
	req := func(pass string) *markReq {
		return &markReq{flight: testFlight, pass: pass, departure: ms(now), at: ms(now), done: make(chan error, 1)}
	}
	if err := g.mark(context.Background(), req("direct")); err != nil {
		t.Fatalf("first marking: %v", err)
	}
	if err := g.mark(context.Background(), req("direct")); !errors.Is(err, gate.ErrAlreadyBoarded) {
		t.Fatalf("second marking: %v", err)
	}
	if len(g.reqs) != 0 || boardedRows(t, s) != 1 {
		t.Fatalf("%d queued, %d rows; want 0 and 1", len(g.reqs), boardedRows(t, s))
	}
}
