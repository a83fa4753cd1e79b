package ratelimit

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// ErrInvalidConfig is wrapped by every New error.
var ErrInvalidConfig = errors.New("ratelimit: invalid config")

// Config sets the bucket and the table size.
type Config struct {
	Rate       float64          // tokens added per second; > 0 and at most 1e9
	Burst      int              // bucket capacity: requests allowed at once; >= 1
	MaxClients int              // buckets kept; the least recently seen is dropped beyond it
	Now        func() time.Time // clock, best with a monotonic reading; time.Now when nil
}

// Limiter holds one bucket per client key. It is safe for concurrent use.
type Limiter struct {
	now      func() time.Time
	epoch    time.Time // tats are nanoseconds since epoch (monotonic when the clock is)
	interval int64     // nanoseconds per token
	window   int64     // Burst*interval: how far the arrival time may run ahead of now

	mu   sync.Mutex
	m    map[string]*entry
	max  int
	head entry // sentinel of the recency list: head.next is the most recently seen
}

// entry is one client's bucket and its place in the recency list.
type entry struct {
	key        string
	tat        int64 // theoretical arrival time: when the bucket will be full again
	prev, next *entry
}

// New validates cfg and returns an empty Limiter.
func New(cfg Config) (*Limiter, error) {
	switch {
	case math.IsNaN(cfg.Rate) || cfg.Rate <= 0 || cfg.Rate > 1e9:
		return nil, fmt.Errorf("%w: Rate %v must be > 0 and <= 1e9 per second", ErrInvalidConfig, cfg.Rate)
	case cfg.Burst < 1:
		return nil, fmt.Errorf("%w: Burst %d must be >= 1", ErrInvalidConfig, cfg.Burst)
	case cfg.MaxClients < 1:
		return nil, fmt.Errorf("%w: MaxClients %d must be >= 1", ErrInvalidConfig, cfg.MaxClients)
	}
	iv := math.Round(float64(time.Second) / cfg.Rate)
	// Keep Burst*interval (and a clamped now plus it) well inside int64: about 73 years.
	if iv > float64(math.MaxInt64/4)/float64(cfg.Burst) {
		return nil, fmt.Errorf("%w: Rate %v with Burst %d refills over more than 73 years", ErrInvalidConfig, cfg.Rate, cfg.Burst)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	l := &Limiter{
		now: now, epoch: now(), interval: int64(iv), window: int64(iv) * int64(cfg.Burst),
		m: make(map[string]*entry), max: cfg.MaxClients,
	}
	l.head.next, l.head.prev = &l.head, &l.head
	return l, nil
}

// Allow takes a token from key's bucket. When the bucket is empty it returns false and how
// long until a token is available (always > 0).
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	// Sub saturates at about ±292 years; clamp far inside int64 so that now plus the window
	// cannot wrap (a clock set centuries ahead then refuses after one burst: fail closed).
	// Read under the lock: a reading taken before it could be older than one another call
	// already applied, and lookup's step-back guard would then hand out tokens twice.
	l.mu.Lock()
	defer l.mu.Unlock()
	now := min(max(int64(l.now().Sub(l.epoch)), -clampNanos), clampNanos)
	e := l.lookup(key, now)
	tat := max(e.tat, now) + l.interval
	if allowAt := tat - l.window; now < allowAt {
		return false, time.Duration(allowAt - now)
	}
	e.tat = tat
	return true, 0
}

// clampNanos bounds the clock reading: with the window at most MaxInt64/4 (New), now ±
// window stays inside int64.
const clampNanos = math.MaxInt64 / 4

// Len is the number of client buckets held.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// lookup returns key's entry, moved to the front of the recency list; a new key gets a full
// bucket, in the least recently seen client's entry when the table is full.
func (l *Limiter) lookup(key string, now int64) *entry {
	if e, ok := l.m[key]; ok {
		l.unlink(e)
		l.pushFront(e)
		// A clock stepped back (one without a monotonic reading) must not leave the bucket
		// empty for the length of the step: at worst it is empty now and refills at the rate.
		e.tat = min(e.tat, now+l.window)
		return e
	}
	var e *entry
	if len(l.m) >= l.max {
		e = l.head.prev // least recently seen
		l.unlink(e)
		delete(l.m, e.key)
	} else {
		e = new(entry)
	}
	e.key, e.tat = key, now
	l.m[key] = e
	l.pushFront(e)
	return e
}

func (l *Limiter) unlink(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
}

func (l *Limiter) pushFront(e *entry) {
	e.prev, e.next = &l.head, l.head.next
	l.head.next.prev = e
	l.head.next = e
}
