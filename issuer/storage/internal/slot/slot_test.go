package slot

import (
	"context"
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"sort"
	"testing"
)

// setLedger is an in-memory Ledger that counts round trips.
type setLedger struct {
	used  map[int]bool
	calls int
}

func (s *setLedger) Taken(_ context.Context, c []int) (map[int]bool, error) {
	s.calls++
	m := map[int]bool{}
	for _, i := range c {
		if s.used[i] {
			m[i] = true
		}
	}
	return m, nil
}

func (s *setLedger) UsedIn(_ context.Context, lo, hi int) ([]int, error) {
	s.calls++
	var out []int
	for i, u := range s.used {
		if u && i >= lo && i < hi {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out, nil
}

func seeded(seed uint64) *mrand.ChaCha8 {
	var s [32]byte
	s[0] = byte(seed)
	return mrand.NewChaCha8(s)
}

func TestPickFillsEveryIndexOnce(t *testing.T) {
	tests := []struct {
		name string
		size int
	}{{"one", 1}, {"small", 7}, {"window boundary", Window + 3}, {"3 windows", 3 * Window}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := &setLedger{used: map[int]bool{}}
			for range tc.size {
				i, err := Pick(context.Background(), rand.Reader, tc.size, l)
				if err != nil {
					t.Fatal(err)
				}
				if i < 0 || i >= tc.size || l.used[i] {
					t.Fatalf("picked %d (used=%v)", i, l.used[i])
				}
				l.used[i] = true
			}
			if _, err := Pick(context.Background(), rand.Reader, tc.size, l); !errors.Is(err, ErrFull) {
				t.Fatalf("full list: err = %v", err)
			}
		})
	}
}

func TestPickFindsLastFreeSlotByScan(t *testing.T) {
	const size = 5000
	for _, free := range []int{0, 1023, 1024, 4999} {
		l := &setLedger{used: map[int]bool{}}
		for i := range size {
			l.used[i] = i != free
		}
		got, err := Pick(context.Background(), seeded(uint64(free)), size, l)
		if err != nil || got != free {
			t.Fatalf("free=%d: got %d, %v", free, got, err)
		}
	}
}

// TestPickIsUniform: a chi-square test over the free indices of a half-full list, with a
// fixed seed (deterministic, so it cannot flake) and a threshold far in the tail.
func TestPickIsUniform(t *testing.T) {
	const size, draws = 64, 64000
	l := &setLedger{used: map[int]bool{}}
	for i := 0; i < size; i += 2 {
		l.used[i] = true
	}
	counts := map[int]int{}
	rnd := seeded(42)
	for range draws {
		i, err := Pick(context.Background(), rnd, size, l)
		if err != nil {
			t.Fatal(err)
		}
		if l.used[i] {
			t.Fatalf("picked used index %d", i)
		}
		counts[i]++
	}
	exp := float64(draws) / (size / 2)
	chi := 0.0
	for i := 1; i < size; i += 2 {
		d := float64(counts[i]) - exp
		chi += d * d / exp
	}
	// 31 degrees of freedom: P(chi2 > 70) < 1e-4.
	if chi > 70 {
		t.Fatalf("chi-square %.1f: not uniform (%v)", chi, counts)
	}
}

func TestPickCostAtNinetyPercent(t *testing.T) {
	const size = 10000
	l := &setLedger{used: map[int]bool{}}
	rnd := seeded(7)
	for len(l.used) < size*9/10 {
		i, _ := Uniform(rnd, size)
		l.used[i] = true
	}
	l.calls = 0
	const picks = 1000
	for range picks {
		if _, err := Pick(context.Background(), rnd, size, l); err != nil {
			t.Fatal(err)
		}
	}
	// Expect ~1.2 round trips per pick (P(batch of 16 misses) = 0.9^16 ≈ 0.19).
	if l.calls > 2*picks {
		t.Fatalf("%d round trips for %d picks", l.calls, picks)
	}
}

func TestUniformRejectsShortReader(t *testing.T) {
	if _, err := Uniform(errReader{}, 10); err == nil {
		t.Fatal("no error from failing reader")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func BenchmarkPickNinetyPercent(b *testing.B) {
	const size = 1 << 16
	l := &setLedger{used: map[int]bool{}}
	for len(l.used) < size*9/10 {
		i, _ := Uniform(rand.Reader, size)
		l.used[i] = true
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Pick(context.Background(), rand.Reader, size, l); err != nil {
			b.Fatal(err)
		}
	}
}
