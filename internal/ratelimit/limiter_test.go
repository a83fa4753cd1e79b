package ratelimit

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a fake clock safe to read from many goroutines.
type clock struct{ ns atomic.Int64 }

var base = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func (c *clock) Now() time.Time          { return base.Add(time.Duration(c.ns.Load())) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
func newLimiter(t testing.TB, c *clock, rate float64, burst, maxClients int) *Limiter {
	t.Helper()
	l, err := New(Config{Rate: rate, Burst: burst, MaxClients: maxClients, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"zero rate", Config{Rate: 0, Burst: 1, MaxClients: 1}},
		{"negative rate", Config{Rate: -1, Burst: 1, MaxClients: 1}},
		{"NaN rate", Config{Rate: math.NaN(), Burst: 1, MaxClients: 1}},
		{"infinite rate", Config{Rate: math.Inf(1), Burst: 1, MaxClients: 1}},
		{"rate above 1/ns", Config{Rate: 2e9, Burst: 1, MaxClients: 1}},
		{"zero burst", Config{Rate: 1, Burst: 0, MaxClients: 1}},
		{"zero clients", Config{Rate: 1, Burst: 1, MaxClients: 0}},
		{"refill over a century", Config{Rate: 1e-9, Burst: 10, MaxClients: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := New(tc.cfg)
			if l != nil || !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("New(%+v) = %v, %v; want ErrInvalidConfig", tc.cfg, l, err)
			}
		})
	}
	if _, err := New(Config{Rate: 1e9, Burst: 1, MaxClients: 1}); err != nil {
		t.Fatalf("rate 1e9 with a real clock: %v", err)
	}
}

// step is one call of Allow after advancing the clock by wait.
type step struct {
	wait  time.Duration
	ok    bool
	retry time.Duration
}

func TestBucketArithmetic(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rate  float64
		burst int
		steps []step
	}{
		{"burst then refusal", 10, 3, []step{
			{0, true, 0}, {0, true, 0}, {0, true, 0},
			{0, false, 100 * time.Millisecond},
			{40 * time.Millisecond, false, 60 * time.Millisecond}, // retryAfter counts down
			{59 * time.Millisecond, false, time.Millisecond},
			{time.Millisecond, true, 0}, // exactly one token refilled
			{0, false, 100 * time.Millisecond},
		}},
		{"refill caps at burst", 10, 3, []step{
			{0, true, 0}, {0, true, 0}, {0, true, 0},
			{time.Hour, true, 0}, {0, true, 0}, {0, true, 0}, // idle an hour: 3 tokens, not 36000
			{0, false, 100 * time.Millisecond},
		}},
		{"partial refill", 2, 4, []step{
			{0, true, 0}, {0, true, 0}, {0, true, 0}, {0, true, 0},
			{1250 * time.Millisecond, true, 0}, {0, true, 0}, // 2.5 tokens: two requests
			{0, false, 250 * time.Millisecond}, // and half a token's wait for the third
			{250 * time.Millisecond, true, 0},
		}},
		{"burst of one", 1, 1, []step{
			{0, true, 0}, {0, false, time.Second}, {999 * time.Millisecond, false, time.Millisecond},
			{time.Millisecond, true, 0}, {0, false, time.Second},
		}},
		{"slow rate", 1.0 / 60, 2, []step{
			{0, true, 0}, {0, true, 0}, {0, false, time.Minute}, {30 * time.Second, false, 30 * time.Second},
		}},
		{"steady at the rate never refused", 10, 1, []step{
			{0, true, 0}, {100 * time.Millisecond, true, 0}, {100 * time.Millisecond, true, 0},
			{99 * time.Millisecond, false, time.Millisecond},
		}},
		{"refusals cost nothing", 10, 2, []step{
			{0, true, 0}, {0, true, 0}, {0, false, 100 * time.Millisecond}, {0, false, 100 * time.Millisecond},
			{0, false, 100 * time.Millisecond}, {100 * time.Millisecond, true, 0},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c clock
			l := newLimiter(t, &c, tc.rate, tc.burst, 10)
			for i, s := range tc.steps {
				c.Advance(s.wait)
				ok, retry := l.Allow("198.51.100.7")
				if ok != s.ok || retry != s.retry {
					t.Fatalf("step %d (+%v): Allow = %v, %v; want %v, %v", i, s.wait, ok, retry, s.ok, s.retry)
				}
			}
		})
	}
}

func TestClientsAreIndependent(t *testing.T) {
	var c clock
	l := newLimiter(t, &c, 1, 2, 10)
	for range 2 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatal("a refused within its burst")
		}
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("a allowed beyond its burst")
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("b refused because of a")
	}
}

func TestEvictionLeastRecentlySeen(t *testing.T) {
	var c clock
	l := newLimiter(t, &c, 1, 1, 3)
	drain := func(key string) {
		t.Helper()
		if ok, _ := l.Allow(key); !ok {
			t.Fatalf("%s refused on a fresh bucket", key)
		}
	}
	limited := func(key string) bool { ok, _ := l.Allow(key); return !ok }
	drain("a")
	drain("b")
	drain("c")
	if !limited("a") { // a is now the most recently seen: order a, c, b
		t.Fatal("a not limited")
	}
	drain("d") // table full: b, the least recently seen, is dropped
	if l.Len() != 3 {
		t.Fatalf("Len = %d, want 3", l.Len())
	}
	for _, k := range []string{"a", "c", "d"} {
		if !limited(k) {
			t.Fatalf("%s lost its bucket; only b should have been evicted", k)
		}
	}
	// b comes back with a full bucket (eviction resets, never locks out), evicting the
	// least recently seen again: a.
	drain("b")
	if l.Len() != 3 {
		t.Fatalf("Len = %d, want 3", l.Len())
	}
	drain("a")
}

func TestConcurrentAllowNeverExceedsArithmetic(t *testing.T) {
	const (
		rate    = 1000.0
		burst   = 50
		workers = 8
		calls   = 2000
		tick    = 10 * time.Microsecond // each call advances the shared clock
	)
	var c clock
	l := newLimiter(t, &c, rate, burst, 4)
	var allowed [3]atomic.Int64
	keys := []string{"k0", "k1", "k2"}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				c.Advance(tick)
				k := (w + i) % len(keys)
				if ok, retry := l.Allow(keys[k]); ok {
					allowed[k].Add(1)
				} else if retry <= 0 {
					t.Errorf("refused with retryAfter %v", retry)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Duration(c.ns.Load())
	// A bucket allows at most Burst plus one token per interval of elapsed time.
	limit := int64(burst) + int64(elapsed.Seconds()*rate) + 1
	for k := range keys {
		if n := allowed[k].Load(); n > limit || n < burst {
			t.Errorf("%s: %d allowed over %v, want between %d and %d", keys[k], n, elapsed, burst, limit)
		}
	}
}

func TestConcurrentFixedClockAllowsExactlyBurst(t *testing.T) {
	var c clock
	l := newLimiter(t, &c, 1, 7, 1)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if ok, _ := l.Allow("one"); ok {
					allowed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := allowed.Load(); n != 7 {
		t.Fatalf("%d allowed, want exactly the burst 7", n)
	}
}

func BenchmarkAllow(b *testing.B) {
	for _, clients := range []int{1, 1000, 100000} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			l, err := New(Config{Rate: 10, Burst: 40, MaxClients: clients})
			if err != nil {
				b.Fatal(err)
			}
			keys := make([]string, clients)
			for i := range keys {
				keys[i] = fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				l.Allow(keys[i])
				if i++; i == len(keys) {
					i = 0
				}
			}
		})
	}
	b.Run("evicting", func(b *testing.B) {
		l, err := New(Config{Rate: 10, Burst: 40, MaxClients: 1000})
		if err != nil {
			b.Fatal(err)
		}
		keys := make([]string, 4096)
		for i := range keys {
			keys[i] = fmt.Sprintf("10.0.%d.%d", i>>8&255, i&255)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Allow(keys[i&4095])
			i++
		}
	})
}

// TestClockExtremes: a clock centuries away from the limiter's epoch (Sub saturates) never
// wraps into "allow everything", and a clock stepped back does not lock a client out for the
// length of the step.
func TestClockExtremes(t *testing.T) {
	base := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) // no monotonic reading
	now := base
	l, err := New(Config{Rate: 1, Burst: 2, MaxClients: 4, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, years := range []int{300, -300} {
		jump := years
		now = base.AddDate(years, 0, 0)
		allowed := 0
		for range 100 {
			ok, retry := l.Allow(fmt.Sprint("far", years))
			if ok {
				allowed++
			} else if retry <= 0 {
				t.Fatalf("clock %v: refused with retryAfter %v, want > 0", jump, retry)
			}
		}
		if allowed != 2 {
			t.Fatalf("clock %v: %d of 100 allowed at burst 2", jump, allowed)
		}
	}
	// A client empties its bucket, then the clock steps back an hour: it waits one interval,
	// not an hour.
	now = base
	for range 2 {
		l.Allow("c")
	}
	now = base.Add(-time.Hour)
	if ok, retry := l.Allow("c"); ok || retry > time.Second {
		t.Fatalf("after a step back: ok %v retry %v, want refused for at most 1 s", ok, retry)
	}
	now = now.Add(time.Second)
	if ok, _ := l.Allow("c"); !ok {
		t.Fatal("a token did not come back one interval after the step back")
	}
}
