package face

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time (user + system) of the whole process so far: cgo calls, GC and
// every thread included, and little affected by other processes sharing the cores.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process CPU time per operation since start as cpu-ns/op beside the
// wall-clock ns/op (which a shared, loaded machine inflates).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
}

// benchExtract measures Template on bona.jpg (1000x1000, 1 MP, one face) with n workers and
// n goroutines, so ns/op at 2 workers vs 1 shows the pool's scaling.
func benchExtract(b *testing.B, workers int) {
	dir := modelsDir(b)
	img := readPhoto(b, "bona.jpg")
	e, err := New(Config{ModelsDir: dir, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.ReportAllocs()
	b.SetParallelism(1) // GOMAXPROCS * 1 goroutines; capped to workers by the pool
	b.ResetTimer()
	start := processCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Template(img, Gate); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, start)
}

func BenchmarkTemplate1MP_1Worker(b *testing.B)  { benchExtract(b, 1) }
func BenchmarkTemplate1MP_2Workers(b *testing.B) { benchExtract(b, 2) }

// BenchmarkNewWorker is the cost of loading one recognizer (all three models).
func BenchmarkNewWorker(b *testing.B) {
	dir := modelsDir(b)
	for b.Loop() {
		e, err := New(Config{ModelsDir: dir, Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// BenchmarkPipeline1MP compares, in one run, the reference pipeline (the upright picture
// re-encoded and given whole to go-face's Recognize), the Extractor's default (templates
// identical to the reference), with FastDecode, and detecting on a 640 or 480 px copy, on
// bona.jpg (1000x1000), one worker.
func BenchmarkPipeline1MP(b *testing.B) {
	dir := modelsDir(b)
	img := readPhoto(b, "bona.jpg")
	b.Run("reference", func(b *testing.B) {
		b.ReportAllocs()
		start := processCPU(b)
		for b.Loop() {
			if len(referenceFaces(b, img)) == 0 {
				b.Fatal("no face")
			}
		}
		reportCPU(b, start)
	})
	for _, c := range []struct {
		name string
		size int
		fast bool
	}{{"full", 0, false}, {"fastdecode", 0, true}, {"detect640", FastDetectSize, false}, {"detect480", 480, false}} {
		b.Run(c.name, func(b *testing.B) {
			e, err := New(Config{ModelsDir: dir, Workers: 1, DetectSize: c.size, FastDecode: c.fast, CheckQuality: true, QualityThresholds: DefaultQualityThresholds()})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			b.ReportAllocs()
			b.ResetTimer()
			start := processCPU(b)
			for b.Loop() {
				if _, err := e.Template(img, Gate); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkDecode1MP compares, in one run, the two routes to the upright picture and dlib's
// pixels on bona.jpg (1000x1000): the reference pipeline itself (image/jpeg decode, quality-95
// re-encode, libjpeg decode) and libjpeg.Reference, which gives the same bits.
func BenchmarkDecode1MP(b *testing.B) {
	img := readPhoto(b, "bona.jpg")
	e := &Extractor{}
	b.Run("pipeline", func(b *testing.B) {
		b.ReportAllocs()
		start := processCPU(b)
		for b.Loop() {
			up, err := decodeUpright(img, testLimits)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.dlibPixels(up); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run("reference", func(b *testing.B) {
		b.ReportAllocs()
		start := processCPU(b)
		for b.Loop() {
			if _, _, ok := referencePixels(img, testLimits, 2); !ok {
				b.Fatal("refused")
			}
		}
		reportCPU(b, start)
	})
}

// BenchmarkStages1MP times the stages a gate request waits for in turn, one call at a time,
// on bona.jpg (1000x1000), one worker: the default decode, the coarse-to-fine HOG detection
// and the landmarks and descriptor (all three on one or two threads), in ms per image.
func BenchmarkStages1MP(b *testing.B) {
	e, err := New(Config{ModelsDir: modelsDir(b), Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	img := readPhoto(b, "bona.jpg")
	r, err := e.acquire()
	if err != nil {
		b.Fatal(err)
	}
	defer e.release(r)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			var decode, detect, describeTime time.Duration
			for b.Loop() {
				t0 := time.Now()
				_, pix, err := e.decode(img, threads)
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				faces, err := e.detect(r, pix, Gate, threads)
				if err != nil || len(faces) == 0 {
					b.Fatal(faces, err)
				}
				t2 := time.Now()
				if _, _, err := describe(r, pix, faces[0], threads); err != nil {
					b.Fatal(err)
				}
				decode += t1.Sub(t0)
				detect += t2.Sub(t1)
				describeTime += time.Since(t2)
			}
			ms := func(d time.Duration) float64 { return float64(d) / float64(b.N) / 1e6 }
			b.ReportMetric(ms(decode), "decode-ms")
			b.ReportMetric(ms(detect), "detect-ms")
			b.ReportMetric(ms(describeTime), "describe-ms")
		})
	}
}
