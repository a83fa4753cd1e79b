package dlib

import (
	"math"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idgate/idgate/internal/facetest"
)

// TestDescribeThreads checks that the descriptor computed with the ResNet's convolutions on two
// threads, or split in two on one thread (as when no thread can be started), is dlib's own bit
// for bit, on every face the HOG detector finds in the repository's and the ../shared photos.
// It logs the largest difference per element and the largest Euclidean distance between the
// descriptors, which the product budget bounds at 0.01: with ATLAS, the BLAS the Makefile
// installs, both are 0, since each thread's block of outputs is computed as in dlib's one sgemm.
func TestDescribeThreads(t *testing.T) {
	e := engine(t)
	pics := pictures(t)
	var names []string
	for name := range pics {
		if strings.HasSuffix(name, ".jpg") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	faces, maxDiff, maxDist := 0, 0.0, 0.0
	for _, name := range names {
		img := pics[name]
		boxes, _, err := e.detectRGBA(img, false, 0, 2)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, box := range boxes {
			faces++
			wantShape, want, err := e.DescribeRGBA(img, box, 1)
			if err != nil {
				t.Fatalf("%s %v: %v", name, box, err)
			}
			for _, threads := range []int{2, -2} {
				shape, got, err := e.describeRGBA(img, box, threads)
				if err != nil {
					t.Fatalf("%s %v, %d threads: %v", name, box, threads, err)
				}
				diff, dist := deviation(got, want)
				maxDiff, maxDist = max(maxDiff, diff), max(maxDist, dist)
				if got != want || !reflect.DeepEqual(shape, wantShape) {
					t.Errorf("%s %v, %d threads: max |difference| %g, distance %g from dlib's (landmarks %v, dlib's %v)",
						name, box, threads, diff, dist, shape, wantShape)
				}
			}
		}
	}
	if faces < len(names)/2 {
		t.Fatalf("%d faces in %d photos", faces, len(names))
	}
	t.Logf("%d faces in %d photos: max |difference| per element %g, max Euclidean distance %g", faces, len(names), maxDiff, maxDist)
}

// deviation is the largest |a[i] - b[i]| and the Euclidean distance between a and b.
func deviation(a, b [128]float32) (float64, float64) {
	var m, sum float64
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		m = max(m, d)
		sum += d * d
	}
	return m, math.Sqrt(sum)
}

// TestDescribeThreadFailure checks that an exception on the second thread comes back as an
// error, without a descriptor, and leaves the engine usable.
func TestDescribeThreadFailure(t *testing.T) {
	e := engine(t)
	img := picture1MP(t)
	boxes, err := e.DetectRGBA(img, false, 0, 1)
	if err != nil || len(boxes) == 0 {
		t.Fatal(boxes, err)
	}
	box := boxes[0]
	_, want, err := e.DescribeRGBA(img, box, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := e.describeRGBA(img, box, -3); err == nil || !strings.Contains(err.Error(), "injected") || got != [128]float32{} {
		t.Fatalf("failing thread: %v, descriptor set: %v", err, got != [128]float32{})
	}
	if _, got, err := e.DescribeRGBA(img, box, 2); err != nil || got != want {
		t.Fatalf("after a failure: %v, same descriptor: %v", err, got == want)
	}
}

// BenchmarkDescribe times the landmarks and descriptor of the face in a 1 MP picture on one
// and two threads, and split in two on one thread (what the split itself costs), with the
// process's CPU time per call (cpu-ns/op).
func BenchmarkDescribe(b *testing.B) {
	e, err := New(facetest.ModelsDir(b), false)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	img := picture1MP(b)
	faces, err := e.DetectRGBA(img, false, 0, 2)
	if err != nil || len(faces) != 1 {
		b.Fatal(faces, err)
	}
	for _, c := range []struct {
		name    string
		threads int
	}{{"threads=1", 1}, {"threads=2", 2}, {"split-on-one", -2}} {
		b.Run(c.name, func(b *testing.B) {
			start := processCPU(b)
			for b.Loop() {
				if _, _, err := e.describeRGBA(img, faces[0], c.threads); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the CPU time (user + system) of the whole process so far, every thread
// included.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
