package biometric

import (
	"crypto/ecdh"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// BenchmarkSearch reports bytes of codes scanned per second (b.SetBytes = N*128; the 8 B/row of
// scan factors streamed alongside is not counted), to be read against
// BenchmarkMemoryBandwidth/DRAM from the same run. Probes are random: an impostor-like query,
// the usual case at a gate, where no row stands out.
//
// On a shared machine the bandwidth available swings by several times within seconds, so at
// N=1M it also reports bw-ratio: after the timed loop, 15 back-to-back pairs of (one Search,
// one parallelRead of an array the size of the codes), and the median over pairs of
// read time / search time. Both halves of a pair see the same neighbours.
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
			search := func() {
				res, err := g.Search(probe, 5)
				if err != nil || len(res) != 5 {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(n) * Dim)
			b.ReportAllocs()
			runtime.GC() // no collection of the setup garbage running during the timed loop
			b.ResetTimer()
			for b.Loop() {
				search()
			}
			if n >= 1_000_000 {
				b.ReportMetric(pairedBandwidthRatio(n*Dim, search), "bw-ratio")
			}
		})
	}
}

// pairedBandwidthRatio is the median over 15 adjacent pairs of parallelRead(size bytes) time
// divided by scan time.
func pairedBandwidthRatio(size int, scan func()) float64 {
	buf := make([]uint64, size/8)
	for i := range buf {
		buf[i] = uint64(i)
	}
	ratios := make([]float64, 15)
	for i := range ratios {
		t0 := time.Now()
		scan()
		t1 := time.Now()
		sinkU += parallelRead(buf, true)
		ratios[i] = float64(time.Since(t1)) / float64(t1.Sub(t0))
	}
	slices.Sort(ratios)
	return ratios[len(ratios)/2]
}

// BenchmarkMemoryBandwidth is the machine's streaming-read ceiling for the access pattern of
// Search at N=1M. /DRAM reads a 128 MB array (exactly the codes of a 1M gallery, far beyond
// any cache; pages written once beforehand so none is the shared zero page) once per
// iteration with parallelRead: GOMAXPROCS goroutines claiming 2 MiB chunks from an atomic
// counter, exactly like the scan workers, each summing a chunk as four streams (one per
// quarter) of 256-bit loads, as the scan kernels read it (sumWords4AVX2; the portable loop
// without AVX2). Only reads, no writes. /DRAM-1stream reads each chunk front to back instead:
// it shows what a one-stream scan could reach. /cached runs the four-stream loop over 1 MiB
// that stays in cache, to show the loop itself is not what limits /DRAM.
func BenchmarkMemoryBandwidth(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
		four bool
	}{{"DRAM", 1_000_000 * Dim, true}, {"DRAM-1stream", 1_000_000 * Dim, false}, {"cached", 1 << 20, true}} {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]uint64, c.size/8)
			for i := range buf {
				buf[i] = uint64(i)
			}
			b.SetBytes(int64(len(buf) * 8))
			runtime.GC() // nor of the previous benchmarks' galleries
			b.ResetTimer()
			for b.Loop() {
				sinkU += parallelRead(buf, c.four)
			}
		})
	}
}

// parallelRead sums buf the way scanAll walks the codes: GOMAXPROCS goroutines claiming
// scanChunkRows*Dim-byte chunks from an atomic counter.
func parallelRead(buf []uint64, four bool) uint64 {
	const chunk = scanChunkRows * Dim / 8 // uint64s per claim
	chunks := (len(buf) + chunk - 1) / chunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	var next atomic.Int64
	sums := make([]uint64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					break
				}
				sums[w] += sumWords(buf[c*chunk:min(len(buf), (c+1)*chunk)], four)
			}
		})
	}
	wg.Wait()
	var total uint64
	for _, s := range sums {
		total += s
	}
	return total
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

// BenchmarkScoreRows is each kernel alone on one core with its 256-row block (32 KiB of codes)
// in L1: the compute ceiling of the scan, to compare with the per-core share of memory
// bandwidth.
func BenchmarkScoreRows(b *testing.B) {
	const scanBlock = 256
	r := mrand.New(mrand.NewPCG(1, 1))
	codes := make([]byte, scanBlock*Dim)
	inv, norm2 := make([]float32, scanBlock), make([]float32, scanBlock)
	for j := range scanBlock {
		tpl := randomTemplate(r)
		m := quantize(&tpl.Vector, codes[j*Dim:])
		inv[j], norm2[j] = m.invScale, m.norm2
	}
	pt := randomTemplate(r)
	p := newProbe(&pt.Vector)
	var out [scanBlock]float32
	var mask [scanBlock / 4]byte
	names := kernelNames()
	for _, k := range kernels(b) {
		b.Run(names[k], func(b *testing.B) {
			b.SetBytes(int64(len(codes)))
			withKernel(k, func() {
				for b.Loop() {
					scoreRows(codes, inv, norm2, p, 0, out[:], mask[:])
				}
			})
		})
	}
}
