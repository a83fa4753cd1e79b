package liveness_test

import (
	"fmt"
	"image"
	"image/jpeg"
	"os"

	"github.com/idgate/idgate/biometric/liveness"
)

// The check needs an upright image and the face detector's box (biometric/face finds it);
// here a still-sideways sample is turned upright by swapping coordinates, with a box from the
// original project's detector.
func Example() {
	c, err := liveness.New(liveness.Config{})
	if err != nil {
		panic(err)
	}
	f, err := os.Open("testdata/image_F1.jpg")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		panic(err)
	}
	upright := rotateCW(img)
	r, err := c.Check(upright, image.Rect(178, 136, 401, 361))
	if err != nil {
		panic(err)
	}
	fmt.Printf("live=%v score=%.2f threshold=%v\n", r.Live, r.Score, c.Threshold())
	// Output: live=false score=0.07 threshold=0.915
}

func rotateCW(src image.Image) image.Image {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dx(); y++ {
		for x := 0; x < b.Dy(); x++ {
			dst.Set(x, y, src.At(b.Min.X+y, b.Max.Y-1-x))
		}
	}
	return dst
}
