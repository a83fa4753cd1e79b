package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/idgate/idgate/gate"
)

// maxBatch bounds one group commit: a batch is whatever queued while the previous commit
// ran, at most this many markings, so no caller waits behind an unbounded transaction.
const maxBatch = 64

// ErrClosed is returned by MarkBoarded after Close.
var ErrClosed = errors.New("sqlitestore: store closed")

// Item states: the writer and the waiting caller race for a queued item with one CAS, so an
// item is either withdrawn by its caller (never written) or taken by the writer (the caller
// then waits for the commit's outcome). Nothing is ever both.
const (
	itemQueued int32 = iota
	itemTaken
	itemWithdrawn
)

// markReq is one MarkBoarded call waiting for the writer.
type markReq struct {
	flight, pass  string
	departure, at int64
	req           []byte // the request that boards (gate.Store.MarkBoardedBy); nil names none
	state         atomic.Int32
	done          chan error // buffered 1: the writer never blocks on a caller that left
}

// groupCommit owns the single writer goroutine that turns concurrent MarkBoarded calls into
// one transaction per batch.
type groupCommit struct {
	db     *sql.DB
	insert *sql.Stmt

	mu sync.RWMutex // guards closed against sends on reqs (and direct writes)
	// writing is held by whoever is writing: the writer goroutine for a batch, or a caller
	// writing its own marking directly when nothing is queued or being written.
	writing sync.Mutex
	closed  bool
	reqs    chan *markReq
	exited  chan struct{}
}

// newGroupCommit prepares the insert; the caller starts the writer with go g.run().
func newGroupCommit(db *sql.DB) (*groupCommit, error) {
	insert, err := db.Prepare(`INSERT INTO boarded (flight, pass, departure, at, req) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (flight, pass) DO UPDATE SET req = excluded.req
		WHERE boarded.req IS NOT NULL AND boarded.req = excluded.req`)
	if err != nil {
		return nil, err
	}
	return &groupCommit{db: db, insert: insert, reqs: make(chan *markReq, maxBatch), exited: make(chan struct{})}, nil
}

// mark enqueues one marking and waits for its own result. Cancellation is honoured until the
// writer takes the item: the caller then gets ctx.Err() and nothing was written. Once taken,
// the item is in a transaction and mark waits for COMMIT (bounded by one batch and the busy
// timeout) instead of returning: a gate that told a passenger "error" while the pass was in
// fact boarded would refuse the retry as already boarded and strand them at the gate.
func (g *groupCommit) mark(ctx context.Context, r *markReq) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return ErrClosed
	}
	// Nothing queued and no batch being written: there is no batch to join, so write this
	// one marking here rather than hand it to the writer goroutine and wait to be handed the
	// result (two goroutine wake-ups, which at moderate load cost more CPU than the insert).
	// Under load the writer holds writing or items are queued, and markings batch in the writer.
	if len(g.reqs) == 0 && g.writing.TryLock() {
		if len(g.reqs) == 0 {
			r.state.Store(itemTaken)
			results, err := g.write([]*markReq{r})
			g.writing.Unlock()
			g.mu.RUnlock()
			if err != nil {
				return wrap(err)
			}
			return results[0]
		}
		g.writing.Unlock()
	}
	select {
	case g.reqs <- r:
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err()
	}
	g.mu.RUnlock()

	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(itemQueued, itemWithdrawn) {
			return ctx.Err()
		}
		return <-r.done // taken: its transaction decides
	}
}

// close stops accepting markings, lets the writer commit what is queued and waits for it.
func (g *groupCommit) close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		<-g.exited
		return nil
	}
	g.closed = true
	close(g.reqs)
	g.mu.Unlock()
	<-g.exited
	return g.insert.Close()
}

// run is the writer: it blocks for the first marking, adds whatever else is already queued
// (no artificial delay) and commits the batch.
func (g *groupCommit) run() {
	defer close(g.exited)
	batch := make([]*markReq, 0, maxBatch)
	for first := range g.reqs {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-g.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		g.writing.Lock()
		g.commit(batch)
		g.writing.Unlock()
		clear(batch) // drop references to finished requests
	}
}

// commit writes batch in one transaction and answers every taken item exactly once: nil for
// an inserted row (or an existing one made by the same request), gate.ErrAlreadyBoarded for
// an existing one (also one inserted earlier in the same batch), and the transaction's error
// for all of them if anything fails, because
// then nothing of the batch was committed.
func (g *groupCommit) commit(batch []*markReq) {
	taken := batch[:0]
	for _, r := range batch {
		if r.state.CompareAndSwap(itemQueued, itemTaken) {
			taken = append(taken, r)
		}
	}
	if len(taken) == 0 {
		return
	}
	results, err := g.write(taken)
	for i, r := range taken {
		if err != nil {
			r.done <- wrap(err)
		} else {
			r.done <- results[i]
		}
	}
}

// write runs the inserts of one batch and commits (a single insert autocommits, which is the
// same durability: the statement's implicit transaction has committed when it returns). It deliberately uses no caller's context:
// the batch belongs to many callers, and a marking is only reported after COMMIT returned.
func (g *groupCommit) write(batch []*markReq) ([]error, error) {
	ctx := context.Background()
	if len(batch) == 1 { // nothing to group: an autocommit insert skips BEGIN and COMMIT round trips
		res, err := g.insert.ExecContext(ctx, batch[0].flight, batch[0].pass, batch[0].departure, batch[0].at, batch[0].req)
		if err != nil {
			return nil, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return []error{gate.ErrAlreadyBoarded}, nil
		}
		return []error{nil}, nil
	}
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	st := tx.StmtContext(ctx, g.insert)
	results := make([]error, len(batch))
	for i, r := range batch {
		res, err := st.ExecContext(ctx, r.flight, r.pass, r.departure, r.at, r.req)
		if err != nil {
			return nil, fmt.Errorf("insert %d of %d: %w", i+1, len(batch), err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			results[i] = gate.ErrAlreadyBoarded
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return results, nil
}
