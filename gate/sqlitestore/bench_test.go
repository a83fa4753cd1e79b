package sqlitestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
)

// BenchmarkMarkBoardedParallel is the gate under load: many requests boarding distinct passes
// at once, each a durable single-use insert.
// Each runs at both durabilities (sync=full is the default).
func BenchmarkMarkBoardedParallel(b *testing.B) { byDurability(b, markBoardedParallel) }

// BenchmarkMarkBoardedSerial is one caller at a time: the group commit's hand-off cost
// without any batching to pay for it, and one fsync per boarding at sync=full.
func BenchmarkMarkBoardedSerial(b *testing.B) { byDurability(b, markBoardedSerial) }

func byDurability(b *testing.B, run func(b *testing.B, o Options)) {
	for _, d := range []struct {
		name string
		d    Durability
	}{{"sync=full", SurvivesPowerLoss}, {"sync=normal", SurvivesProcessCrash}} {
		b.Run(d.name, func(b *testing.B) { run(b, Options{Durability: d.d}) })
	}
}

func markBoardedParallel(b *testing.B, o Options) {
	s, err := OpenWith(filepath.Join(b.TempDir(), "gate.db"), o)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8) // 8 goroutines per GOMAXPROCS: a verifier serving concurrent gates
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.MarkBoarded(ctx, "IG0101/2026-11-27", benchPass(n.Add(1)), now, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func markBoardedSerial(b *testing.B, o Options) {
	s, err := OpenWith(filepath.Join(b.TempDir(), "gate.db"), o)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := s.MarkBoarded(ctx, "IG0101/2026-11-27", benchPass(int64(i)), now, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnrol500 writes 500 enrolments (a ~1 KB sealed template each, as at check-in):
// one Enrol (one commit) per row against one EnrolBatch transaction.
func BenchmarkEnrol500(b *testing.B) {
	sealed := string(make([]byte, 1000))
	for _, mode := range []string{"single", "batch"} {
		b.Run(mode, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "gate.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			now := time.Now()
			es := make([]gate.Enrolment, 500)
			b.ReportAllocs()
			for n := 0; b.Loop(); n++ {
				for i := range es {
					es[i] = gate.Enrolment{Flight: "IG0101/2026-11-27", Pass: gate.PassID(fmt.Sprintf("p%d-%d", n, i)), Sealed: sealed, Departure: now, EnrolledAt: now}
				}
				if mode == "batch" {
					if err := s.EnrolBatch(ctx, es); err != nil {
						b.Fatal(err)
					}
					continue
				}
				for _, e := range es {
					if err := s.Enrol(ctx, e); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// benchPass is a realistic PassID: 64 hex digits of SHA-256, as gate.passID makes them.
func benchPass(i int64) gate.PassID {
	h := sha256.Sum256([]byte(fmt.Sprint(i)))
	return gate.PassID(hex.EncodeToString(h[:]))
}
