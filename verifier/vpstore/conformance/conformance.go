// Package conformance is the one test suite every vpstore backend passes.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idgate/idgate/verifier/vpstore"
)

// Open returns two stores over the same data (two instances of one deployment; the memory
// backend returns one store twice). The suite closes neither.
type Open func(t *testing.T) (a, b vpstore.Store)

// Run runs every conformance test on fresh stores from open.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, a, b vpstore.Store)
	}{
		{"CreateGet", testCreateGet},
		{"Invalid", testInvalid},
		{"UpdateAtomic", testUpdateAtomic},
		{"SingleUseAcrossInstances", testSingleUse},
		{"PerClientBound", testPerClientBound},
		{"PerNetworkBound", testPerNetworkBound},
		{"DeleteExpired", testDeleteExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			tc.fn(t, a, b)
		})
	}
}

var t0 = time.Now().Truncate(time.Millisecond)

func tx(id, client string, ttl time.Duration) vpstore.Transaction {
	return vpstore.Transaction{ID: id, Client: client, CreatedAt: t0, ExpiresAt: t0.Add(ttl), Data: []byte(`{"n":"` + id + `"}`)}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

func testCreateGet(t *testing.T, a, b vpstore.Store) {
	must(t, a.Create(ctx(t), tx("t1", "c1", time.Hour), 10))
	got, err := b.Get(ctx(t), "t1")
	must(t, err)
	if got.Status != vpstore.StatusPending || got.Client != "c1" || string(got.Data) != `{"n":"t1"}` ||
		!got.ExpiresAt.Equal(t0.Add(time.Hour)) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("got %+v", got)
	}
	wantErr(t, b.Create(ctx(t), tx("t1", "c2", time.Hour), 10), vpstore.ErrExists)
	_, err = a.Get(ctx(t), "nope")
	wantErr(t, err, vpstore.ErrNotFound)
	_, err = a.Update(ctx(t), "nope", func(*vpstore.Transaction) error { return nil })
	wantErr(t, err, vpstore.ErrNotFound)
}

func testInvalid(t *testing.T, a, _ vpstore.Store) {
	for name, tr := range map[string]vpstore.Transaction{
		"no id":     tx("", "c", time.Hour),
		"long id":   tx(string(make([]byte, vpstore.MaxIDLen+1)), "c", time.Hour),
		"no expiry": {ID: "x", CreatedAt: t0},
		"huge data": {ID: "x", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), Data: make([]byte, vpstore.MaxDataBytes+1)},
	} {
		if err := a.Create(ctx(t), tr, 10); !errors.Is(err, vpstore.ErrInvalid) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	must(t, a.Create(ctx(t), tx("t1", "c", time.Hour), 10))
	_, err := a.Update(ctx(t), "t1", func(tr *vpstore.Transaction) error { tr.Client = "other"; return nil })
	wantErr(t, err, vpstore.ErrInvalid)
	_, err = a.Update(ctx(t), "t1", func(tr *vpstore.Transaction) error { tr.Status = "bogus"; return nil })
	wantErr(t, err, vpstore.ErrInvalid)
}

func testUpdateAtomic(t *testing.T, a, b vpstore.Store) {
	must(t, a.Create(ctx(t), tx("t1", "c", time.Hour), 10))
	boom := errors.New("boom")
	_, err := b.Update(ctx(t), "t1", func(tr *vpstore.Transaction) error {
		tr.Status, tr.Data = vpstore.StatusVerified, []byte("changed")
		return boom
	})
	wantErr(t, err, boom)
	got, _ := a.Get(ctx(t), "t1")
	if got.Status != vpstore.StatusPending || string(got.Data) != `{"n":"t1"}` {
		t.Fatalf("an aborted update wrote: %+v", got)
	}
	out, err := b.Update(ctx(t), "t1", func(tr *vpstore.Transaction) error {
		tr.Status, tr.Data = vpstore.StatusVerified, []byte("result")
		return nil
	})
	must(t, err)
	got, _ = a.Get(ctx(t), "t1")
	if got.Status != vpstore.StatusVerified || string(got.Data) != "result" || out.Status != vpstore.StatusVerified {
		t.Fatalf("update not stored: %+v", got)
	}
}

// testSingleUse: concurrent answers on two instances; exactly one moves the transaction on.
func testSingleUse(t *testing.T, a, b vpstore.Store) {
	must(t, a.Create(ctx(t), tx("t1", "c", time.Hour), 10))
	errUsed := errors.New("used")
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Update(ctx(t), "t1", func(tr *vpstore.Transaction) error {
				if tr.Status != vpstore.StatusPending {
					return errUsed
				}
				tr.Status, tr.Data = vpstore.StatusVerified, []byte(fmt.Sprint(i))
				return nil
			})
			if err == nil {
				wins.Add(1)
			} else if !errors.Is(err, errUsed) {
				t.Errorf("update %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d updates moved a pending transaction on, want 1", wins.Load())
	}
}

func testPerClientBound(t *testing.T, a, b vpstore.Store) {
	for i := range 3 {
		must(t, a.Create(ctx(t), tx(fmt.Sprint("o", i), "c", time.Hour), 3))
	}
	wantErr(t, b.Create(ctx(t), tx("o3", "c", time.Hour), 3), vpstore.ErrClientLimit)
	must(t, b.Create(ctx(t), tx("p0", "other", time.Hour), 3)) // another client is not affected
	// An answered transaction is no longer open.
	_, err := b.Update(ctx(t), "o0", func(tr *vpstore.Transaction) error { tr.Status = vpstore.StatusFailed; return nil })
	must(t, err)
	must(t, a.Create(ctx(t), tx("o3", "c", time.Hour), 3))
	// An expired one is not either.
	must(t, a.Create(ctx(t), tx("e0", "d", -time.Second), 1))
	must(t, a.Create(ctx(t), tx("e1", "d", time.Hour), 1))
	// Concurrent creates on two instances do not overshoot the bound.
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Create(ctx(t), tx(fmt.Sprint("r", i), "race", time.Hour), 2)
			if err == nil {
				ok.Add(1)
			} else if !errors.Is(err, vpstore.ErrClientLimit) {
				t.Errorf("create %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 2 {
		t.Fatalf("%d concurrent creates succeeded under a bound of 2", ok.Load())
	}
}

// Many addresses of one network (an IPv4 /24, an IPv6 /48) hold NetworkShare clients' worth
// of open transactions together; another network is not affected, and an answered
// transaction frees the share. Concurrent creates from the network on two instances do not
// overshoot it.
func testPerNetworkBound(t *testing.T, a, b vpstore.Store) {
	const perClient = 2
	share := perClient * vpstore.NetworkShare
	for _, c := range []struct{ name, first string }{
		{"IPv4", "203.0.113.%d"},
		{"IPv6", "2001:db8:7:%x::/64"},
	} {
		n := 0
		for i := 1; n < share; i++ {
			for range perClient {
				s := a
				if n%2 == 1 {
					s = b
				}
				must(t, s.Create(ctx(t), tx(fmt.Sprint(c.name, n), fmt.Sprintf(c.first, i), time.Hour), perClient))
				n++
			}
		}
		wantErr(t, a.Create(ctx(t), tx(c.name+"-over", fmt.Sprintf(c.first, 200), time.Hour), perClient), vpstore.ErrNetworkLimit)
		// An answered transaction is no longer open.
		_, err := b.Update(ctx(t), c.name+"0", func(tr *vpstore.Transaction) error { tr.Status = vpstore.StatusFailed; return nil })
		must(t, err)
		must(t, a.Create(ctx(t), tx(c.name+"-over", fmt.Sprintf(c.first, 200), time.Hour), perClient))
	}
	must(t, b.Create(ctx(t), tx("elsewhere", "198.51.100.1", time.Hour), perClient))
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Create(ctx(t), tx(fmt.Sprint("race", i), fmt.Sprintf("192.0.2.%d", i+1), time.Hour), 1) // network share: 10
			if err == nil {
				ok.Add(1)
			} else {
				t.Errorf("create %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	for i := range 4 {
		err := a.Create(ctx(t), tx(fmt.Sprint("race-more", i), fmt.Sprintf("192.0.2.%d", 100+i), time.Hour), 1)
		if err == nil {
			ok.Add(1)
		} else if !errors.Is(err, vpstore.ErrNetworkLimit) {
			t.Fatalf("create: %v", err)
		}
	}
	if ok.Load() != vpstore.NetworkShare {
		t.Fatalf("%d creates in one network under a share of %d", ok.Load(), vpstore.NetworkShare)
	}
}

func testDeleteExpired(t *testing.T, a, b vpstore.Store) {
	must(t, a.Create(ctx(t), tx("old", "c", time.Minute), 10))
	must(t, a.Create(ctx(t), tx("new", "c", time.Hour), 10))
	n, err := b.DeleteExpired(ctx(t), t0.Add(2*time.Minute))
	must(t, err)
	if n != 1 {
		t.Fatalf("deleted %d, want 1", n)
	}
	_, err = a.Get(ctx(t), "old")
	wantErr(t, err, vpstore.ErrNotFound)
	_, err = a.Get(ctx(t), "new")
	must(t, err)
}
