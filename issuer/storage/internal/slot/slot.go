package slot

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
)

// Tuning of Pick: Rounds*Batch random probes before the window scan. At 90% full the
// probes all miss with probability 0.9^64 ≈ 0.1%.
const (
	Batch  = 16
	Rounds = 4
	Window = 1024
)

// ErrFull means no free index exists (the caller's used-slot count should have said so).
var ErrFull = errors.New("slot: no free index")

// Ledger is the backend's view of the used indices of one list, read inside the caller's
// transaction.
type Ledger interface {
	// Taken returns which of candidates are used.
	Taken(ctx context.Context, candidates []int) (map[int]bool, error)
	// UsedIn returns the used indices in [lo, hi), ascending.
	UsedIn(ctx context.Context, lo, hi int) ([]int, error)
}

// Pick returns a free index in [0, size), reading randomness from rnd.
func Pick(ctx context.Context, rnd io.Reader, size int, l Ledger) (int, error) {
	if size <= 0 {
		return 0, ErrFull
	}
	cands := make([]int, Batch)
	for range Rounds {
		for i := range cands {
			n, err := Uniform(rnd, size)
			if err != nil {
				return 0, err
			}
			cands[i] = n
		}
		taken, err := l.Taken(ctx, cands)
		if err != nil {
			return 0, err
		}
		for _, c := range cands {
			if !taken[c] {
				return c, nil
			}
		}
	}
	start, err := Uniform(rnd, size)
	if err != nil {
		return 0, err
	}
	return scan(ctx, start, size, l)
}

// scan walks windows from start, wrapping once around the list.
func scan(ctx context.Context, start, size int, l Ledger) (int, error) {
	for done := 0; done < size; {
		lo := (start + done) % size
		hi := min(lo+Window, size, lo+size-done)
		used, err := l.UsedIn(ctx, lo, hi)
		if err != nil {
			return 0, err
		}
		next := lo
		for _, u := range used {
			if u != next {
				break
			}
			next++
		}
		if next < hi {
			return next, nil
		}
		done += hi - lo
	}
	return 0, ErrFull
}

// Uniform returns an unbiased integer in [0, n) (n > 0) from rnd, by rejecting the top
// partial range of a 64-bit draw.
func Uniform(rnd io.Reader, n int) (int, error) {
	var b [8]byte
	limit := ^uint64(0) - ^uint64(0)%uint64(n)
	for {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return 0, err
		}
		if v := binary.LittleEndian.Uint64(b[:]); v < limit {
			return int(v % uint64(n)), nil
		}
	}
}
