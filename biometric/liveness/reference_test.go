package liveness

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"os"
	"testing"
)

// The reference figures come from ../shared/notes/minifasnet.md (section 6, "decoded with
// Go's stdlib image/jpeg"): the original pipeline (cropping, OpenCV resize, torch 1.13
// inference) run on the samples as Go decodes them, with the box of the original's RetinaFace
// detector. Both models get the same crop on these close-ups (the scale is clamped).
var references = []struct {
	image    string
	retina   image.Rectangle // x,y,w,h from the note as a Rectangle
	crop     [4]int          // l, t, w, h of the patch
	cropSHA  string          // prefix of sha256 of the 80×80×3 BGR bytes (HWC)
	cropSum  int
	v2, v1se [3]float32
	live     bool // the original's label
}{
	{"image_T1.jpg", image.Rect(106, 147, 106+207, 147+213), [4]int{0, 7, 480, 493}, "cf8c62767a94663b", 2254554,
		[3]float32{-4.327725, 4.393625, -0.068665}, [3]float32{-5.434531, 5.637591, -0.205056}, true},
	{"image_F1.jpg", image.Rect(178, 136, 178+223, 136+225), [4]int{0, 6, 480, 485}, "347af9de7e5d33a5", 2196241,
		[3]float32{0.525618, -3.576392, 3.052461}, [3]float32{0.025149, -0.693265, 0.668170}, false},
	{"image_F2.jpg", image.Rect(120, 252, 120+252, 252+256), [4]int{0, 136, 480, 488}, "118a771df5801642", 2187936,
		[3]float32{-3.357883, -1.964251, 5.323651}, [3]float32{-3.369731, 1.415719, 1.953688}, false},
}

func TestPreprocessMatchesReference(t *testing.T) {
	if raceEnabled {
		t.Skip("numeric only; runs without -race")
	}
	for _, ref := range references {
		t.Run(ref.image, func(t *testing.T) {
			img := loadUpright(t, ref.image)
			b := img.Bounds()
			for _, scale := range []float64{2.7, 4.0} {
				r := ref.retina
				l, tp, rr, bb := cropBox(r.Min.X, r.Min.Y, r.Dx(), r.Dy(), b.Dx(), b.Dy(), scale)
				if got := [4]int{l, tp, rr - l + 1, bb - tp + 1}; got != ref.crop {
					t.Fatalf("scale %v: crop %v, want %v", scale, got, ref.crop)
				}
				crop := make([]uint8, 80*80*3)
				cropResize(img, l, tp, rr, bb, make([]float32, 3*80*80), crop)
				h := sha256.Sum256(crop)
				sum := 0
				for _, v := range crop {
					sum += int(v)
				}
				if got := hex.EncodeToString(h[:])[:16]; got != ref.cropSHA || sum != ref.cropSum {
					t.Errorf("scale %v: crop %s / %d, want %s / %d", scale, got, sum, ref.cropSHA, ref.cropSum)
				}
			}
		})
	}
}

// TestLogitsMatchReference: both networks' logits within 1e-4 of torch's on the three samples.
func TestLogitsMatchReference(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-4
	for _, ref := range references {
		t.Run(ref.image, func(t *testing.T) {
			res, err := c.Check(loadUpright(t, ref.image), ref.retina)
			if err != nil {
				t.Fatal(err)
			}
			for m, want := range [2][3]float32{ref.v2, ref.v1se} {
				for k := range want {
					if d := math.Abs(float64(res.Logits[m][k] - want[k])); d > tol {
						t.Errorf("model %d logit %d = %.6f, want %.6f (|diff| %.2g > %g)", m, k, res.Logits[m][k], want[k], d, tol)
					}
				}
			}
			if res.Live != ref.live {
				t.Errorf("live = %v (score %.4f), want %v", res.Live, res.Score, ref.live)
			}
			t.Logf("score %.6f logits %v", res.Score, res.Logits)
		})
	}
}

// TestPixelPaths: a YCbCr image (what image/jpeg decodes), its RGBA copy (draw.Draw) and an
// NRGBA copy (the generic path) give the same crop bytes.
func TestPixelPaths(t *testing.T) {
	if raceEnabled {
		t.Skip("numeric only; runs without -race")
	}
	b, err := os.ReadFile("testdata/image_F2.jpg")
	if err != nil {
		t.Fatal(err)
	}
	src, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*image.YCbCr); !ok {
		t.Fatalf("decoded as %T", src)
	}
	rgba := image.NewRGBA(src.Bounds())
	draw.Draw(rgba, rgba.Bounds(), src, src.Bounds().Min, draw.Src)
	nrgba := image.NewNRGBA(image.Rect(5, 7, 5+src.Bounds().Dx(), 7+src.Bounds().Dy())) // origin moved too
	draw.Draw(nrgba, nrgba.Bounds(), src, src.Bounds().Min, draw.Src)
	var crops [3][]uint8
	for i, img := range []image.Image{src, rgba, nrgba} {
		crops[i] = make([]uint8, 80*80*3)
		cropResize(img, 100, 50, 420, 400, make([]float32, 3*80*80), crops[i])
	}
	if !bytes.Equal(crops[0], crops[1]) || !bytes.Equal(crops[0], crops[2]) {
		t.Error("pixel paths disagree")
	}
}
