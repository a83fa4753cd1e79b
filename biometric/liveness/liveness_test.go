package liveness

import (
	"errors"
	"image"
	"math"
	"sync"
	"testing"
)

func TestConfigThreshold(t *testing.T) {
	for _, thr := range []float64{-0.1, 1.5, math.NaN(), math.Inf(1)} {
		if _, err := New(Config{Threshold: thr}); !errors.Is(err, ErrInvalidThreshold) {
			t.Errorf("threshold %v: err = %v, want ErrInvalidThreshold", thr, err)
		}
	}
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Threshold() != DefaultThreshold {
		t.Errorf("default threshold %v", c.Threshold())
	}
	if id := c.ModelID(); id != "mfas1-"+id[6:] || len(id) != 14 {
		t.Errorf("model id %q", id)
	}
	// The id names the weights: NewFromWeights with the same files gives the same id.
	c2, err := NewFromWeights(weightsV2, weightsV1SE, Config{Threshold: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if c2.ModelID() != c.ModelID() || c2.Threshold() != 0.5 {
		t.Errorf("NewFromWeights: id %q threshold %v", c2.ModelID(), c2.Threshold())
	}
	if _, err := NewFromWeights(weightsV2[:100], weightsV1SE, Config{}); !errors.Is(err, ErrModelFormat) {
		t.Errorf("truncated weights: %v", err)
	}
}

func TestCheckBoxes(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(10, 20, 110, 220)) // origin not at 0,0
	for _, box := range []image.Rectangle{{}, image.Rect(500, 500, 600, 600), image.Rect(10, 20, 11, 120)} {
		if _, err := c.Check(img, box); !errors.Is(err, ErrInvalidBox) {
			t.Errorf("box %v: err = %v, want ErrInvalidBox", box, err)
		}
	}
	// A box partly outside is clipped; a box covering the whole image works.
	for _, box := range []image.Rectangle{image.Rect(0, 0, 60, 60), img.Bounds(), image.Rect(100, 200, 300, 400)} {
		r, err := c.Check(img, box)
		if err != nil {
			t.Fatalf("box %v: %v", box, err)
		}
		if !r.Box.In(img.Bounds()) || r.Score < 0 || r.Score > 1 {
			t.Errorf("box %v: result %+v", box, r)
		}
	}
	if CodeOf(ErrInvalidBox) != "liveness_invalid_box" || CodeOf(errors.New("x")) != "" {
		t.Error("CodeOf")
	}
}

// TestCheckSamples: the decision on the samples with the default threshold, and that
// concurrent checks give identical results (shared networks, pooled buffers).
func TestCheckSamples(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, ref := range references {
		img := loadUpright(t, ref.image)
		want, err := c.Check(img, ref.retina)
		if err != nil {
			t.Fatal(err)
		}
		if want.Live != ref.live {
			t.Errorf("%s: live %v score %.4f", ref.image, want.Live, want.Score)
		}
		if ref.image != "image_T1.jpg" {
			continue // one image is enough to race checks against each other
		}
		for range 3 {
			wg.Go(func() {
				got, err := c.Check(img, ref.retina)
				if err != nil || got != want {
					t.Errorf("%s: concurrent check %+v, %v; want %+v", ref.image, got, err, want)
				}
			})
		}
	}
	wg.Wait()
}
