package face

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"
	"testing"

	"github.com/idgate/idgate/internal/facephotos"
)

func TestQualityProblems(t *testing.T) {
	good := Quality{EyeDistance: 60, Sharpness: 200, Brightness: 120, Roll: 3, Yaw: 0.05}
	def := DefaultQualityThresholds()
	tests := []struct {
		name string
		q    func(q *Quality)
		want []string
	}{
		{"good", func(q *Quality) {}, nil},
		{"small", func(q *Quality) { q.EyeDistance = 20 }, []string{QualityFaceTooSmall}},
		{"blurred", func(q *Quality) { q.Sharpness = 5 }, []string{QualityBlurred}},
		{"dark", func(q *Quality) { q.Brightness = 20 }, []string{QualityTooDark}},
		{"bright", func(q *Quality) { q.Brightness = 250 }, []string{QualityOverexposed}},
		{"rolled", func(q *Quality) { q.Roll = -40 }, []string{QualityHeadPose}},
		{"turned", func(q *Quality) { q.Yaw = 0.5 }, []string{QualityHeadPose}},
		{"two faces", func(q *Quality) { q.SecondFace = 0.9 }, []string{QualityMultipleFaces}},
		{"several", func(q *Quality) { q.Sharpness, q.Brightness = 1, 10 }, []string{QualityBlurred, QualityTooDark}},
	}
	for _, tt := range tests {
		q := good
		tt.q(&q)
		if got := q.Problems(def); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := (Quality{}).Problems(QualityThresholds{}); len(got) != 0 {
		t.Errorf("zero thresholds check nothing, got %v", got)
	}
}

func TestParseQualityThresholds(t *testing.T) {
	got, err := ParseQualityThresholds(" min_eye_distance=40, max_yaw=0.3 ,max_second_face=0")
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultQualityThresholds()
	want.MinEyeDistance, want.MaxYaw, want.MaxSecondFace = 40, 0.3, 0
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got, err := ParseQualityThresholds(""); err != nil || got != DefaultQualityThresholds() {
		t.Errorf("empty: %+v %v", got, err)
	}
	for _, bad := range []string{"nope=1", "min_sharpness", "max_roll=-1", "max_yaw=NaN", "max_roll=Inf", "min_brightness=x"} {
		if _, err := ParseQualityThresholds(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestQualityPose: roll and yaw from synthetic 68-point landmarks.
func TestQualityPose(t *testing.T) {
	shape := func(angle float64, noseShift float64) []image.Point {
		p := make([]image.Point, 68)
		rot := func(x, y float64) image.Point {
			s, c := math.Sincos(angle * math.Pi / 180)
			return image.Pt(int(math.Round(500+x*c-y*s)), int(math.Round(500+x*s+y*c)))
		}
		for i := 36; i < 42; i++ {
			p[i] = rot(-50, 0)
		}
		for i := 42; i < 48; i++ {
			p[i] = rot(50, 0)
		}
		p[30] = rot(noseShift*100, 60)
		return p
	}
	img := image.NewGray(image.Rect(0, 0, 1000, 1000))
	for _, c := range []struct{ roll, yaw float64 }{{0, 0}, {20, 0}, {-30, 0.2}, {10, -0.4}} {
		q := measureQuality(img, image.Rect(400, 400, 600, 600), shape(c.roll, c.yaw), nil)
		if math.Abs(q.Roll-c.roll) > 1 || math.Abs(q.Yaw-c.yaw) > 0.02 || math.Abs(q.EyeDistance-100) > 1 {
			t.Errorf("roll %v yaw %v: measured %+v", c.roll, c.yaw, q)
		}
	}
}

func TestLaplacianVariance(t *testing.T) {
	flat := make([]float64, qualitySide*qualitySide)
	checker := make([]float64, qualitySide*qualitySide)
	for i := range checker {
		checker[i] = float64(255 * ((i%qualitySide + i/qualitySide) % 2))
	}
	if v := laplacianVariance(flat); v != 0 {
		t.Errorf("flat: %v", v)
	}
	if v := laplacianVariance(checker); v < 1e5 {
		t.Errorf("checkerboard: %v", v)
	}
}

// repoPhoto decodes one of the repository's photos.
func repoPhoto(t *testing.T, name string) *image.RGBA {
	t.Helper()
	b, err := facephotos.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	img, err := decodeUpright(b, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	return toRGBA(img)
}

// TestQualityOnPhotos measures every repository photo (all pass the defaults: they are good
// captures) and synthetic degradations of obama.jpg made here: box blur, darkening,
// overexposure, downscaling, rotation, and a second face as large as the first. Each
// degradation must trip its sub-reason under the defaults (downscaling: halve the eye
// distance).
func TestQualityOnPhotos(t *testing.T) {
	e := extractor(t)
	def := DefaultQualityThresholds()
	for _, n := range facephotos.Names() {
		b, _ := facephotos.Read(n)
		res, err := e.Template(b, Gate)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		t.Logf("%s: %+v", n, res.Quality)
		if p := res.Quality.Problems(def); len(p) > 0 {
			t.Errorf("%s: %v under the defaults", n, p)
		}
	}
	base := repoPhoto(t, "obama.jpg")
	orig, err := e.Template(encodeJPEG(base), Gate)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		img  image.Image
		want string
	}{
		{"box blur 9 px", boxBlur(base, 4), QualityBlurred},
		{"darkened to 25%", scaleLevels(base, 0.25, 0), QualityTooDark},
		{"overexposed", scaleLevels(base, 1.6, 80), QualityOverexposed},
		{"two faces side by side", sideBySide(base, base), QualityMultipleFaces},
	}
	for _, c := range cases {
		res, err := e.Template(encodeJPEG(c.img), Gate)
		if errors.Is(err, ErrNoFace) {
			t.Errorf("%s: no face found", c.name)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		p := res.Quality.Problems(def)
		t.Logf("%s: %v %+v", c.name, p, res.Quality)
		if !slices.Contains(p, c.want) {
			t.Errorf("%s: problems %v, want %s", c.name, p, c.want)
		}
	}
	half, err := e.Template(encodeJPEG(resize(base, 0.6)), Gate)
	if err != nil {
		t.Fatal(err)
	}
	ratio := half.Quality.EyeDistance / orig.Quality.EyeDistance
	t.Logf("downscaled to 60%%: eye distance %.1f -> %.1f px", orig.Quality.EyeDistance, half.Quality.EyeDistance)
	if ratio < 0.5 || ratio > 0.7 {
		t.Errorf("eye distance ratio %.2f after scaling to 60%%", ratio)
	}
	thr := def
	thr.MinEyeDistance = (orig.Quality.EyeDistance + half.Quality.EyeDistance) / 2
	if !slices.Contains(half.Quality.Problems(thr), QualityFaceTooSmall) || slices.Contains(orig.Quality.Problems(thr), QualityFaceTooSmall) {
		t.Errorf("face_too_small does not separate the photo from its smaller copy")
	}
	// Roll: dlib's frontal HOG detector rarely finds a face rolled much beyond 20 degrees (the
	// capture is then no_face), so the roll check is measured at 15 degrees against a lower limit.
	rolled, err := e.Template(encodeJPEG(rotate(base, 15)), Gate)
	if err != nil {
		t.Fatalf("rotated 15 degrees: %v", err)
	}
	t.Logf("rotated 15 degrees: %+v", rolled.Quality)
	thr = def
	thr.MaxRoll = 8
	if math.Abs(rolled.Quality.Roll) < 10 || !slices.Contains(rolled.Quality.Problems(thr), QualityHeadPose) {
		t.Errorf("rotated 15 degrees: roll %.1f", rolled.Quality.Roll)
	}
}

// resize scales src by f with nearest-neighbour sampling of block means (f < 1).
func resize(src *image.RGBA, f float64) *image.RGBA {
	w, h := int(float64(src.Bounds().Dx())*f), int(float64(src.Bounds().Dy())*f)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			x0, y0 := int(float64(x)/f), int(float64(y)/f)
			x1, y1 := max(x0+1, int(float64(x+1)/f)), max(y0+1, int(float64(y+1)/f))
			var s [3]int
			n := 0
			for yy := y0; yy < y1; yy++ {
				for xx := x0; xx < x1; xx++ {
					c := src.RGBAAt(xx, yy)
					s[0], s[1], s[2] = s[0]+int(c.R), s[1]+int(c.G), s[2]+int(c.B)
					n++
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(s[0] / n), uint8(s[1] / n), uint8(s[2] / n), 255})
		}
	}
	return dst
}

// TestCheckQualityRefuses: with CheckQuality the Gate policy refuses a bad capture with a
// *QualityError (code capture_quality); Enrol is not checked.
func TestCheckQualityRefuses(t *testing.T) {
	e, err := New(Config{ModelsDir: modelsDir(t), Workers: 1, CheckQuality: true, QualityThresholds: DefaultQualityThresholds()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	dark := encodeJPEG(scaleLevels(repoPhoto(t, "obama.jpg"), 0.25, 0))
	_, err = e.Template(dark, Gate)
	var qe *QualityError
	if !errors.As(err, &qe) || !errors.Is(err, ErrCaptureQuality) || Code(err) != "capture_quality" || !slices.Contains(qe.QualityReasons(), QualityTooDark) {
		t.Fatalf("got %v", err)
	}
	if _, err := e.Template(dark, Enrol); err != nil {
		t.Errorf("enrol: %v", err)
	}
}

func boxBlur(src *image.RGBA, r int) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var s [3]int
			n := 0
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					p := image.Pt(x+dx, y+dy)
					if !p.In(b) {
						continue
					}
					c := src.RGBAAt(p.X, p.Y)
					s[0], s[1], s[2] = s[0]+int(c.R), s[1]+int(c.G), s[2]+int(c.B)
					n++
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(s[0] / n), uint8(s[1] / n), uint8(s[2] / n), 255})
		}
	}
	return dst
}

// scaleLevels maps every channel v to min(255, v*k + add).
func scaleLevels(src *image.RGBA, k, add float64) *image.RGBA {
	dst := image.NewRGBA(src.Bounds())
	for i, v := range src.Pix {
		if i%4 == 3 {
			dst.Pix[i] = 255
			continue
		}
		dst.Pix[i] = uint8(min(255, float64(v)*k+add))
	}
	return dst
}

// rotate turns src by deg degrees about its centre (nearest neighbour, gray outside).
func rotate(src *image.RGBA, deg float64) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	draw.Draw(dst, b, image.NewUniform(color.Gray{128}), image.Point{}, draw.Src)
	s, c := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			fx, fy := float64(x)-cx, float64(y)-cy
			sx, sy := int(math.Round(fx*c+fy*s+cx)), int(math.Round(-fx*s+fy*c+cy))
			if image.Pt(sx, sy).In(b) {
				dst.SetRGBA(x, y, src.RGBAAt(sx, sy))
			}
		}
	}
	return dst
}

func sideBySide(a, b *image.RGBA) *image.RGBA {
	w := a.Bounds().Dx() + b.Bounds().Dx()
	h := max(a.Bounds().Dy(), b.Bounds().Dy())
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, a.Bounds(), a, image.Point{}, draw.Src)
	draw.Draw(dst, b.Bounds().Add(image.Pt(a.Bounds().Dx(), 0)), b, image.Point{}, draw.Src)
	return dst
}
