package sqlitestore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
)

// TestCheckpointsOffTheWriter: the writer's connection does not checkpoint (its auto-checkpoint
// is a 10,000-page backstop, far above this test's 3,000 frames), yet the background checkpointer copies the WAL into the database, so the WAL does not
// grow with every boarding and the rows are in the main file after Close.
func TestCheckpointsOffTheWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gate.db")
	s := open(t, path)
	var auto int
	if err := s.db.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 10000 {
		t.Fatalf("writer wal_autocheckpoint = %d (%v), want the 10000-page backstop", auto, err)
	}
	now := time.Now()
	const n = 3000 // ~1 WAL frame each: far more than SQLite's 1000-page auto-checkpoint
	for i := range n {
		if err := s.MarkBoarded(ctx, "IG0101/2026-11-27", benchPass(int64(i)), now, now); err != nil {
			t.Fatal(err)
		}
	}
	// Only a checkpoint writes pages into the main file (the writer appends to the WAL), so
	// the main file growing shows the background checkpointer at work.
	deadline := time.Now().Add(20 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 256<<10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("main file still %d bytes: no background checkpoint", fi.Size())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("WAL of %d bytes left after Close", fi.Size())
	}
	s = open(t, path)
	var rows int
	if err := s.db.QueryRow(`SELECT count(*) FROM boarded`).Scan(&rows); err != nil || rows != n {
		t.Fatalf("%d rows after reopen (%v), want %d", rows, err, n)
	}
	if err := s.MarkBoarded(ctx, "IG0101/2026-11-27", benchPass(7), now, now); err != gate.ErrAlreadyBoarded {
		t.Fatal(fmt.Errorf("reboarding after reopen: %v", err))
	}
}
