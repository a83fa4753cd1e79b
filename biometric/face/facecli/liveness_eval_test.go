package facecli

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/idgate/idgate/biometric/face"
	"github.com/idgate/idgate/biometric/liveness"
)

// TestLivenessEval measures the liveness check on what can lawfully be had here, for
// docs/performance.md; it asserts nothing about the rates. Opt-in (dlib runs on every image):
//
//	IDGATE_LIVENESS_EVAL=1 IDGATE_MODELS=$PWD/var/models go test -count=1 -v -run LivenessEval ./biometric/face/facecli/
//
// Bona fide: the photographs in ../shared/faces (go-face's test photos and the public-domain
// portraits; without ../shared, the repository's internal/facephotos): direct digital photos,
// not gate-camera captures. Attack-like: each of them run
// through three synthetic transforms imitating a print, a screen and a low-quality recapture.
// These are NOT presentation attacks (nothing was printed or shown to a camera); they only
// show whether the networks react to such artefacts.
func TestLivenessEval(t *testing.T) {
	if os.Getenv("IDGATE_LIVENESS_EVAL") == "" {
		t.Skip("set IDGATE_LIVENESS_EVAL=1 to run the liveness measurement")
	}
	models := modelsDir(t)
	shared := filepath.Join("..", "..", "..", "..", "shared", "faces")
	var paths []string
	for _, dir := range []string{filepath.Join(shared, "go-face-testdata", "images"), filepath.Join(shared, "public-domain")} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
		paths = append(paths, m...)
	}
	if len(paths) == 0 { // a clone without ../shared: the repository's own four photos
		paths, _ = filepath.Glob(filepath.Join(photosDir(t), "*.jpg"))
	}
	sort.Strings(paths)
	ex, err := face.New(face.Config{ModelsDir: models})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	chk, err := liveness.New(liveness.Config{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := []struct {
		name string
		f    func(image.Image) image.Image
	}{{"bona fide", nil}, {"print-like", printLike}, {"screen-like", screenLike}, {"recapture-like", recaptureLike}}
	type tally struct{ n, live, noFace int }
	counts := make([]tally, len(kinds))
	var scores [][]float64 = make([][]float64, len(kinds))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		src, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for k, kind := range kinds {
			in := b
			if kind.f != nil {
				var buf bytes.Buffer
				if err := jpeg.Encode(&buf, kind.f(src), &jpeg.Options{Quality: 90}); err != nil {
					t.Fatal(err)
				}
				in = buf.Bytes()
			}
			res, err := ex.Template(in, face.Gate)
			if err != nil {
				counts[k].noFace++
				continue
			}
			r, err := chk.Check(res.Image, res.Box)
			if err != nil {
				t.Fatal(err)
			}
			counts[k].n++
			if r.Live {
				counts[k].live++
			}
			scores[k] = append(scores[k], r.Score)
			t.Logf("%-14s %-22s live=%-5v score=%.3f", kind.name, filepath.Base(p), r.Live, r.Score)
		}
	}
	for k, kind := range kinds {
		c := counts[k]
		rate, what := float64(c.n-c.live), "classified spoof (BPCER)"
		if k > 0 {
			rate, what = float64(c.live), "classified live (APCER-like)"
		}
		sort.Float64s(scores[k])
		med := math.NaN()
		if len(scores[k]) > 0 {
			med = scores[k][len(scores[k])/2]
		}
		t.Logf("%-14s images %d (no face %d): %s %d/%d = %.1f%%, median score %.3f", kind.name, c.n+c.noFace, c.noFace, what,
			int(rate), c.n, 100*rate/math.Max(1, float64(c.n)), med)
	}
	fmt.Fprintln(os.Stderr, "threshold", chk.Threshold(), "model", chk.ModelID())
}

// printLike imitates a photo print: compressed dynamic range, a warm paper tint, a 4×4
// ordered-dither halftone and a slight blur.
func printLike(src image.Image) image.Image {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	bayer := [16]float64{0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bl, _ := src.At(b.Min.X+x, b.Min.Y+y).RGBA()
			d := (bayer[(y%4)*4+x%4]/16 - 0.5) * 24
			f := func(v uint32, tint float64) uint8 {
				return clamp8(35 + float64(v>>8)*0.72*tint + d)
			}
			dst.Set(x, y, color.RGBA{f(r, 1.04), f(g, 1.0), f(bl, 0.9), 255})
		}
	}
	return boxBlur(dst)
}

// screenLike imitates a photo of a display: RGB sub-pixel stripes, a moiré grating at a
// slight angle, a blue cast and raised blacks.
func screenLike(src image.Image) image.Image {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bl, _ := src.At(b.Min.X+x, b.Min.Y+y).RGBA()
			m := 1 + 0.12*math.Sin(2*math.Pi*(float64(x)*0.97+float64(y)*0.26)/3.3)
			ch := [3]float64{float64(r >> 8), float64(g >> 8), float64(bl >> 8)}
			for i := range ch {
				if x%3 != i {
					ch[i] *= 0.8
				}
				ch[i] = 20 + ch[i]*0.85*m
			}
			dst.Set(x, y, color.RGBA{clamp8(ch[0]), clamp8(ch[1]), clamp8(ch[2] * 1.08), 255})
		}
	}
	return dst
}

// recaptureLike imitates a low-quality recapture: 40% scale and back (detail lost), then a
// JPEG at quality 30.
func recaptureLike(src image.Image) image.Image {
	b := src.Bounds()
	w, h := max(1, b.Dx()*2/5), max(1, b.Dy()*2/5)
	small := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			small.Set(x, y, src.At(b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h))
		}
	}
	big := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			big.Set(x, y, small.At(x*w/b.Dx(), y*h/b.Dy()))
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, boxBlur(big), &jpeg.Options{Quality: 30})
	out, _ := jpeg.Decode(&buf)
	return out
}

func boxBlur(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	draw.Draw(dst, b, src, b.Min, draw.Src)
	for y := 1; y < b.Dy()-1; y++ {
		for x := 1; x < b.Dx()-1; x++ {
			for c := 0; c < 3; c++ {
				s := 0
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						s += int(src.Pix[src.PixOffset(x+dx, y+dy)+c])
					}
				}
				dst.Pix[dst.PixOffset(x, y)+c] = uint8(s / 9)
			}
		}
	}
	return dst
}

func clamp8(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }
