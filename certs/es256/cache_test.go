package es256

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"sync"
	"testing"
	"time"
)

func syncCache(max int) *Cache {
	c := NewCache(max)
	c.build = func(f func()) { f() }
	return c
}

func TestCacheWarmGet(t *testing.T) {
	c := syncCache(2)
	keys := make([]*ecdsa.PrivateKey, 3)
	for i := range keys {
		keys[i], _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if c.Get(&keys[0].PublicKey) != nil {
		t.Fatal("key before Warm")
	}
	c.Warm(&keys[0].PublicKey)
	got := c.Get(&keys[0].PublicKey)
	if got == nil || !got.Public().Equal(&keys[0].PublicKey) {
		t.Fatal("warmed key missing or wrong")
	}
	// A second parse of the same key (another pointer) finds the same slot.
	same := keys[0].PublicKey
	if c.Get(&same) != got {
		t.Fatal("equal key, other pointer: not found")
	}
	c.Warm(&keys[1].PublicKey)
	time.Sleep(time.Millisecond) // distinct use times
	c.Get(&keys[0].PublicKey)    // keys[1] is now the least recently used
	c.Warm(&keys[2].PublicKey)   // evicts it: never more than max
	if n := len(c.m); n != 2 {
		t.Fatalf("%d keys cached, max 2", n)
	}
	if c.Get(&keys[2].PublicKey) == nil || c.Get(&keys[0].PublicKey) == nil {
		t.Fatal("newest or recently used key missing")
	}
	if c.Get(&keys[1].PublicKey) != nil {
		t.Fatal("least recently used key kept")
	}
	// Keys that cannot be precomputed are ignored.
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	c.Warm(edPub)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	c.Warm(&p384.PublicKey)
	c.Warm(nil)
	if c.Get(edPub) != nil || c.Get(&p384.PublicKey) != nil || c.Get(nil) != nil {
		t.Fatal("non-P-256 key cached")
	}
	var nilCache *Cache
	nilCache.Warm(&keys[0].PublicKey)
	if nilCache.Get(&keys[0].PublicKey) != nil {
		t.Fatal("nil cache returned a key")
	}
}

// TestCacheConcurrent warms and reads from many goroutines with background builds (-race).
func TestCacheConcurrent(t *testing.T) {
	c := NewCache(4)
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				c.Warm(&priv.PublicKey)
				if k := c.Get(&priv.PublicKey); k != nil && !k.Public().Equal(&priv.PublicKey) {
					t.Error("wrong key")
				}
			}
		}()
	}
	wg.Wait()
}
