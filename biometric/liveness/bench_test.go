package liveness

import (
	"runtime"
	"testing"
)

// cpuLoop runs f b.N times on one locked OS thread and reports its CPU time per call as
// cpu-ns/op beside the wall-clock ns/op (which a shared, loaded machine inflates).
func cpuLoop(b *testing.B, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	start := threadCPU()
	for b.Loop() {
		f()
	}
	if start > 0 {
		b.ReportMetric(float64(threadCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkForward is one network's inference on an 80×80 input (ns/op per network).
func BenchmarkForward(b *testing.B) {
	c, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range c.models {
		b.Run(m.name, func(b *testing.B) {
			ws := newWorkspace(m.net.maxAct)
			in := make([]float32, 3*inputSize*inputSize)
			for i := range in {
				in[i] = float32(i % 256)
			}
			var logits [3]float32
			cpuLoop(b, func() { m.net.forward(ws, in, &logits) })
		})
	}
}

// BenchmarkCheck is a whole liveness check on a 480×640 photograph: two crops, two resizes,
// two networks, fusion.
func BenchmarkCheck(b *testing.B) {
	c, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	img := loadUpright(b, "image_T1.jpg")
	box := references[0].retina
	cpuLoop(b, func() {
		if _, err := c.Check(img, box); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkLoad parses and builds both embedded networks.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadNetwork(weightsV2); err != nil {
			b.Fatal(err)
		}
		if _, err := loadNetwork(weightsV1SE); err != nil {
			b.Fatal(err)
		}
	}
}
