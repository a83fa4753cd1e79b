package dlib

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/idgate/idgate/internal/facetest"
)

// engine loads the models from $IDGATE_MODELS (make test sets it) or skips.
func engine(t *testing.T) *Engine {
	t.Helper()
	e, err := New(facetest.ModelsDir(t), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// pictures are the repository's photos, the ../shared faces when present, a face pasted
// twice at two sizes, a close-up, noise and a picture too small for the detector, as RGBA.
func pictures(t *testing.T) map[string]*image.RGBA {
	t.Helper()
	root := filepath.Join("..", "..", "..", "..")
	files, _ := filepath.Glob(filepath.Join(root, "internal", "facephotos", "testdata", "*.jpg"))
	shared, _ := filepath.Glob(filepath.Join(root, "..", "shared", "faces", "*", "*.jpg"))
	more, _ := filepath.Glob(filepath.Join(root, "..", "shared", "faces", "*", "*", "*.jpg"))
	if len(shared)+len(more) == 0 {
		t.Log("../shared/faces unavailable: the repository's photos only")
	}
	out := map[string]*image.RGBA{}
	for _, f := range append(append(files, shared...), more...) {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		rgba := image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
		name, err := filepath.Rel(root, f)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = rgba
	}
	if len(files) == 0 {
		t.Fatal("no repository photos")
	}
	face := out[filepath.Join("internal", "facephotos", "testdata", "obama.jpg")]
	if face == nil {
		t.Fatal("no obama.jpg among the repository's photos")
	}
	group := image.NewRGBA(image.Rect(0, 0, 1200, 700))
	for i, s := range []int{1, 2} {
		w, h := face.Rect.Dx()/s, face.Rect.Dy()/s
		x0 := i * 600
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				group.SetRGBA(x0+x, y, face.RGBAAt(face.Rect.Min.X+x*s, face.Rect.Min.Y+y*s))
			}
		}
	}
	out["group"] = group
	// A close-up: the face magnified 4 times (nearest neighbour) fills a 640x480 picture, so
	// the pyramid's coarsest level finds it, and counting the levels on a skipped level's image
	// rather than on the picture would miss that level.
	closeup := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			sx, sy := 269+(x-320)/4, 153+(y-240)/4
			if image.Pt(sx, sy).In(face.Rect) {
				closeup.SetRGBA(x, y, face.RGBAAt(sx, sy))
			}
		}
	}
	out["closeup"] = closeup
	noise := image.NewRGBA(image.Rect(0, 0, 640, 480))
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = byte(rnd.IntN(256))
	}
	out["noise"] = noise
	out["tiny"] = image.NewRGBA(image.Rect(0, 0, 9, 7))
	return out
}

// TestHOGThreads checks that the two-thread HOG search finds dlib's own detector's boxes with
// the same confidences bit for bit, on the whole pyramid and from coarser levels on.
func TestHOGThreads(t *testing.T) {
	e := engine(t)
	found := 0
	pics := pictures(t)
	for name, img := range pics {
		want, wantConf, err := e.detectRGBA(img, false, 0, -1)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		found += len(want)
		threads := []int{2}
		if !strings.HasSuffix(name, ".jpg") {
			threads = []int{1, 2}
		}
		for _, threads := range threads {
			got, conf, err := e.detectRGBA(img, false, 0, threads)
			if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(conf, wantConf) {
				t.Errorf("%s, %d threads: %v %v %v, dlib: %v %v", name, threads, got, conf, err, want, wantConf)
			}
		}
		for _, skip := range skips(name) {
			// threads -1: the whole pyramid built and searched from level skip on, one thread.
			one, oneConf, err1 := e.detectRGBA(img, false, skip, -1)
			two, twoConf, err2 := e.detectRGBA(img, false, skip, 2)
			if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(one, two) || !reflect.DeepEqual(oneConf, twoConf) {
				t.Errorf("%s, skip %d: 1 thread %v %v %v, 2: %v %v %v", name, skip, one, oneConf, err1, two, twoConf, err2)
			}
		}
	}
	if found == 0 {
		t.Fatal("no face found in any picture")
	}
	// The close-up's face is found on the coarsest level, where level counting matters.
	if got, _, err := e.detectRGBA(pics["closeup"], false, 10, 2); err != nil || len(got) != 1 {
		t.Errorf("close-up from level 10: %v %v, want its face", got, err)
	}
}

// TestPyramidRows checks the row-split pyramid step against dlib's pyramid_down<6> on noise
// of many sizes, down several levels.
func TestPyramidRows(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	sizes := [][2]int{{1, 1}, {2, 2}, {3, 7}, {5, 5}, {6, 6}, {7, 3}, {13, 11}, {64, 48}, {97, 61}, {640, 480}, {1280, 1000}, {999, 1001}}
	for range 20 {
		sizes = append(sizes, [2]int{1 + rnd.IntN(700), 1 + rnd.IntN(700)})
	}
	for _, sz := range sizes {
		img := RGB{W: sz[0], H: sz[1], Pix: make([]byte, 3*sz[0]*sz[1])}
		for i := range img.Pix {
			img.Pix[i] = byte(rnd.IntN(256))
		}
		for levels := 1; levels <= 6; levels++ {
			want, err := pyramid(img, levels, -1)
			if err != nil {
				t.Fatal(err)
			}
			for _, threads := range []int{1, 2} {
				got, err := pyramid(img, levels, threads)
				if err != nil || got.W != want.W || got.H != want.H || !bytes.Equal(got.Pix, want.Pix) {
					t.Fatalf("%dx%d, %d levels, %d threads: %dx%d %v, dlib %dx%d", sz[0], sz[1], levels, threads, got.W, got.H, err, want.W, want.H)
				}
			}
		}
	}
}

// skips are the pyramid levels the two-thread search is checked from against the one-thread
// one: several for the pictures made here, the gate's usual one for the photos.
func skips(name string) []int {
	if strings.HasSuffix(name, ".jpg") {
		return []int{5}
	}
	return []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
}

// TestDetectRGBMatchesRGBA checks the packed-RGB entry point against the RGBA one.
func TestDetectRGBMatchesRGBA(t *testing.T) {
	e := engine(t)
	img := pictures(t)["group"]
	rgb := RGB{W: img.Rect.Dx(), H: img.Rect.Dy(), Pix: make([]byte, 0, 3*img.Rect.Dx()*img.Rect.Dy())}
	for i := 0; i < len(img.Pix); i += 4 {
		rgb.Pix = append(rgb.Pix, img.Pix[i:i+3]...)
	}
	a, err := e.Detect(rgb, false, 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.DetectRGBA(img, false, 0, 2)
	if err != nil || !reflect.DeepEqual(a, b) || len(a) != 2 {
		t.Fatalf("RGB %v, RGBA %v %v (want the 2 pasted faces)", a, b, err)
	}
}

// TestDetectRGBASubImage checks that a sub-image is searched as the picture it shows, with
// boxes relative to its origin, and that bad images are refused.
func TestDetectRGBASubImage(t *testing.T) {
	e := engine(t)
	img := pictures(t)["group"]
	sub := img.SubImage(image.Rect(500, 40, 1200, 700)).(*image.RGBA)
	own := image.NewRGBA(image.Rect(0, 0, 700, 660))
	draw.Draw(own, own.Rect, sub, sub.Rect.Min, draw.Src)
	want, err := e.DetectRGBA(own, false, 0, 2)
	if err != nil || len(want) != 1 {
		t.Fatalf("copy: %v %v (want one face)", want, err)
	}
	got, err := e.DetectRGBA(sub, false, 0, 2)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("sub-image: %v %v, its copy: %v", got, err, want)
	}
	for _, bad := range []*image.RGBA{{}, {Rect: image.Rect(0, 0, 10, 10), Stride: 40, Pix: make([]byte, 100)}} {
		if _, err := e.DetectRGBA(bad, false, 0, 2); err == nil {
			t.Errorf("bad image %v accepted", bad.Rect)
		}
	}
	if _, err := e.DetectRGBA(img, true, 0, 2); err == nil {
		t.Error("CNN detection without the CNN model: no error")
	}
}

// BenchmarkHOG times the HOG search of a 1 MP picture on one and two threads, over the whole
// pyramid (enrolment) and from level 5 on (the gate's search of a 1 MP capture).
func BenchmarkHOG(b *testing.B) {
	e, err := New(facetest.ModelsDir(b), false)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	img := picture1MP(b)
	for _, skip := range []int{0, 5} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("skip=%d/threads=%d", skip, threads), func(b *testing.B) {
				for b.Loop() {
					if faces, _, err := e.detectRGBA(img, false, skip, threads); err != nil || len(faces) != 1 {
						b.Fatal(faces, err)
					}
				}
			})
		}
	}
}

// picture1MP is obama.jpg scaled up 2.5 times (nearest neighbour) to 1280x1000.
func picture1MP(tb testing.TB) *image.RGBA {
	tb.Helper()
	r, err := os.Open(filepath.Join("..", "..", "..", "..", "internal", "facephotos", "testdata", "obama.jpg"))
	if err != nil {
		tb.Fatal(err)
	}
	src, err := jpeg.Decode(r)
	r.Close()
	if err != nil {
		tb.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 1280, 1000))
	for y := 0; y < 1000; y++ {
		for x := 0; x < 1280; x++ {
			img.Set(x, y, src.At(x*2/5, y*2/5))
		}
	}
	return img
}
