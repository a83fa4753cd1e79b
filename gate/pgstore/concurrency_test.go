package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/gate"
)

// Two pools on one database are two verifier instances: for each pass, 16 goroutines on each
// race to board it, and the database must let exactly one of the 32 through.
func TestMarkBoardedAcrossInstances(t *testing.T) {
	dsn := freshSchema(t)
	stores := []*Store{openT(t, dsn), openT(t, dsn)}
	ctx := context.Background()
	now := time.Now()
	const passes, perStore = 10, 16
	for p := range passes {
		pass := gate.PassID(fmt.Sprintf("race-%d", p))
		var wg sync.WaitGroup
		start := make(chan struct{})
		var mu sync.Mutex
		wins := map[int]int{}
		var other []error
		for i := range 2 * perStore {
			s := stores[i%2]
			wg.Go(func() {
				<-start
				err := s.MarkBoarded(ctx, flight, pass, now, now)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins[i%2]++
				case !errors.Is(err, gate.ErrAlreadyBoarded):
					other = append(other, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if wins[0]+wins[1] != 1 || len(other) != 0 {
			t.Fatalf("pass %s: wins per instance %v, other errors %v; want exactly one win", pass, wins, other)
		}
	}
	var n int
	if err := stores[0].pool.QueryRow(ctx, `SELECT COUNT(*) FROM gate_boardings`).Scan(&n); err != nil || n != passes {
		t.Fatalf("%d boarding rows, %v; want %d", n, err, passes)
	}
}
