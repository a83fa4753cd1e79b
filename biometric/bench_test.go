package biometric

import (
	"crypto/ecdh"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"testing"
)

var (
	sinkF float32
	sinkU uint64
)

func BenchmarkDistance(b *testing.B) {
	r := mrand.New(mrand.NewPCG(1, 2))
	x, y := randomTemplate(r), randomTemplate(r)
	b.ReportAllocs()
	for b.Loop() {
		d, _ := Distance(x, y)
		sinkF += d
	}
}

// BenchmarkSearch reports bytes of 7-bit codes scanned per second (b.SetBytes = N*128), to be
// read against BenchmarkMemoryBandwidth from the same run.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{500, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(uint64(n), 3))
			g := NewGallery(testModel)
			for i := range n {
				if err := g.Add(fmt.Sprint(i), randomTemplate(r)); err != nil {
					b.Fatal(err)
				}
			}
			probe := randomTemplate(r)
			b.SetBytes(int64(n) * Dim)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, err := g.Search(probe, 5)
				if err != nil || len(res) != 5 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMemoryBandwidth sums a 256 MiB array with one goroutine per GOMAXPROCS, the same
// parallelism Search uses, as the machine's streaming-read ceiling.
func BenchmarkMemoryBandwidth(b *testing.B) {
	buf := make([]uint64, 256<<20/8)
	for i := range buf {
		buf[i] = uint64(i)
	}
	shards := 2
	b.SetBytes(int64(len(buf) * 8))
	b.ResetTimer()
	for b.Loop() {
		sums := make([]uint64, shards)
		done := make(chan struct{}, shards)
		for s := range shards {
			go func() {
				part := buf[s*len(buf)/shards : (s+1)*len(buf)/shards]
				var a0, a1, a2, a3 uint64
				for i := 0; i+4 <= len(part); i += 4 {
					a0 += part[i]
					a1 += part[i+1]
					a2 += part[i+2]
					a3 += part[i+3]
				}
				sums[s] = a0 + a1 + a2 + a3
				done <- struct{}{}
			}()
		}
		for range shards {
			<-done
		}
		sinkU += sums[0] + sums[1]
	}
}

func BenchmarkSeal(b *testing.B) {
	key, _ := ecdh.P256().GenerateKey(rand.Reader)
	tpl := randomTemplate(mrand.New(mrand.NewPCG(5, 6)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Seal(tpl, key.PublicKey()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen: one ECDH P-256 plus key unwrap, GCM and template parse per call.
func BenchmarkOpen(b *testing.B) {
	key, _ := ecdh.P256().GenerateKey(rand.Reader)
	tpl := randomTemplate(mrand.New(mrand.NewPCG(5, 6)))
	s, err := Seal(tpl, key.PublicKey())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(s, key); err != nil {
			b.Fatal(err)
		}
	}
}
