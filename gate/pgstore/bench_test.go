package pgstore

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/gate/sqlitestore"
)

// BenchmarkMarkBoardedParallel is the gate under load (distinct passes boarding at once, each
// a durable single-use insert) on this store and, for comparison, on the SQLite store with its
// group commit. Read the PostgreSQL numbers against the server's durability settings
// (scripts/with-postgres.sh runs with fsync=off).
func BenchmarkMarkBoardedParallel(b *testing.B) {
	b.Run("postgres", func(b *testing.B) {
		benchMarkParallel(b, openT(b, freshSchema(b)))
	})
	b.Run("sqlite", func(b *testing.B) {
		s, err := sqlitestore.Open(filepath.Join(b.TempDir(), "gate.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		benchMarkParallel(b, s)
	})
}

func benchMarkParallel(b *testing.B, s gate.Store) {
	ctx := context.Background()
	now := time.Now()
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8) // 8 goroutines per GOMAXPROCS: a verifier serving concurrent gates
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			pass := gate.PassID(fmt.Sprintf("p%d", n.Add(1)))
			if err := s.MarkBoarded(ctx, "IG0101/2026-11-27", pass, now, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkMarkBoardedSerial is one caller at a time: a round trip per boarding.
func BenchmarkMarkBoardedSerial(b *testing.B) {
	s := openT(b, freshSchema(b))
	ctx := context.Background()
	now := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := s.MarkBoarded(ctx, "IG0101/2026-11-27", gate.PassID(fmt.Sprintf("p%d", i)), now, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnrolBatch100 is a check-in system enrolling 100 passengers at once: one
// transaction per batch on either store.
func BenchmarkEnrolBatch100(b *testing.B) {
	run := func(b *testing.B, s gate.Store) {
		ctx := context.Background()
		now := time.Now()
		batch := make([]gate.Enrolment, 100)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			for j := range batch {
				batch[j] = gate.Enrolment{Flight: "IG0101/2026-11-27", Pass: gate.PassID(fmt.Sprintf("p%d-%d", i, j)),
					Sealed: "eyJhbGciOiJFQ0RILUVTIn0..x.y.z", Departure: now, EnrolledAt: now}
			}
			if err := s.EnrolBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("postgres", func(b *testing.B) { run(b, openT(b, freshSchema(b))) })
	b.Run("sqlite", func(b *testing.B) {
		s, err := sqlitestore.Open(filepath.Join(b.TempDir(), "gate.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		run(b, s)
	})
}
