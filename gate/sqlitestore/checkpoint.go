package sqlitestore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointInterval is how often the background checkpointer copies the WAL into the
// database file.
const checkpointInterval = 250 * time.Millisecond

// checkpointer runs WAL checkpoints on a connection of its own. SQLite's default
// auto-checkpoint runs inside whichever commit crosses 1000 WAL pages: at gate rates that is
// a boarding's commit about once a second, and it copies those pages and fsyncs the database
// file while every queued boarding waits (the p99). PASSIVE checkpoints here never block the
// writer and do that copying in the background; the writer's auto-checkpoint, raised to
// 10,000 pages, then only copies what is left and lets the WAL restart (see doc.go).
type checkpointer struct {
	db     *sql.DB
	stop   chan struct{}
	done   chan struct{}
	closed sync.Once
	err    error
}

func startCheckpointer(dsn string, every time.Duration) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	c := &checkpointer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop(every)
	return c, nil
}

func (c *checkpointer) loop(every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			// An error (SQLITE_BUSY while another checkpoint runs) only defers the work to
			// the next tick; the WAL keeps every commit meanwhile.
			_, _ = c.checkpoint(context.Background(), "PASSIVE")
		}
	}
}

// checkpoint runs one checkpoint and returns the WAL frames it left uncopied.
func (c *checkpointer) checkpoint(ctx context.Context, mode string) (int, error) {
	var busy, log, copied int
	err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &copied)
	return log - copied, err
}

// close stops the loop, truncates the WAL once more and closes the connection. Idempotent.
func (c *checkpointer) close() error {
	c.closed.Do(func() {
		close(c.stop)
		<-c.done
		_, _ = c.checkpoint(context.Background(), "TRUNCATE")
		c.err = c.db.Close()
	})
	return c.err
}
