package face

import (
	"errors"
	"image"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/facemodel"
	"github.com/idgate/idgate/internal/facephotos"
)

func TestNewErrors(t *testing.T) {
	dir := modelsDir(t)
	if _, err := New(Config{ModelsDir: t.TempDir(), Workers: 1}); !errors.Is(err, ErrModels) {
		t.Errorf("empty dir: %v", err)
	}
	// The models built by make models carry the placeholder detector unless the operator gave one.
	if ph, _ := facemodel.IsPlaceholderDetector(dir); ph {
		_, err := New(Config{ModelsDir: dir, Workers: 1, Detector: DetectorCNN})
		if !errors.Is(err, ErrCNNUnavailable) || Code(err) != "cnn_unavailable" {
			t.Errorf("CNN with placeholder: %v", err)
		}
	}
}

func TestModelID(t *testing.T) {
	e := extractor(t)
	if !regexp.MustCompile(`^dlibr1-[0-9a-f]{8}$`).MatchString(string(e.ModelID())) {
		t.Errorf("model id %q", e.ModelID())
	}
}

func TestPolicies(t *testing.T) {
	e := extractor(t)
	group := readPhoto(t, "pristin.jpg") // ten faces (go-face's own test counts them)
	single := readPhoto(t, "bona2.jpg")
	tests := []struct {
		name   string
		img    []byte
		policy Policy
		ext    *Extractor
		want   error
	}{
		{"enrol single", single, Enrol, e, nil},
		{"gate single", single, Gate, e, nil},
		{"enrol group", group, Enrol, e, ErrMultipleFaces},
		{"gate group takes largest", group, Gate, e, nil},
		{"no face", encodeJPEG(gradient(300, 300)), Gate, e, ErrNoFace},
		{"undecodable", []byte("nope"), Gate, e, ErrUndecodable},
		{"bad policy", single, Policy(9), e, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.ext.Template(tt.img, tt.policy)
			if tt.policy != Enrol && tt.policy != Gate {
				if err == nil {
					t.Fatal("unknown policy accepted")
				}
				return
			}
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err != nil {
				return
			}
			if r.Template.Model != e.ModelID() || r.Box.Empty() {
				t.Errorf("result %v %v", r.Template.Model, r.Box)
			}
		})
	}
}

// TestGateLargestFace: the Gate box is the largest of the faces found, and it is the
// largest of the ten go-face finds at full resolution.
func TestGateLargestFace(t *testing.T) {
	e := extractor(t)
	group := readPhoto(t, "pristin.jpg")
	r, err := e.Template(group, Gate)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Faces {
		if area(f) > area(r.Box) {
			t.Errorf("face %v larger than chosen %v", f, r.Box)
		}
	}
	faces := referenceFaces(t, group)
	if len(faces) != 10 {
		t.Fatalf("reference: %d faces, want 10", len(faces))
	}
	t.Logf("%d of the reference's 10 faces found on the scaled copy", len(r.Faces))
	for _, f := range faces {
		if area(f.Rectangle) > area(r.Box) && boxShift(f.Rectangle, r.Box) > 8 {
			t.Errorf("reference face %v larger than chosen %v", f.Rectangle, r.Box)
		}
	}
}

func TestFaceTooSmall(t *testing.T) {
	dir := modelsDir(t)
	e, err := New(Config{ModelsDir: dir, Workers: 1, MinFaceSize: 5000})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Template(readPhoto(t, "bona2.jpg"), Gate); !errors.Is(err, ErrFaceTooSmall) {
		t.Fatalf("got %v", err)
	}
	e.Close()
	if _, err := e.Template(readPhoto(t, "bona2.jpg"), Gate); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestGrayscaleSamePerson: a grayscale re-encoding of a photo still yields a nearby template.
func TestGrayscaleSamePerson(t *testing.T) {
	e := extractor(t)
	b := readPhoto(t, "bona2.jpg")
	colour, err := e.Template(b, Enrol)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(bytesReader(b))
	if err != nil {
		t.Fatal(err)
	}
	gray, err := e.Template(encodeJPEG(toGray(img)), Enrol)
	if err != nil {
		t.Fatal(err)
	}
	d, err := biometric.Distance(colour.Template, gray.Template)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("colour vs grayscale distance %.3f", d)
	if d >= 0.4 {
		t.Errorf("colour vs grayscale distance %.3f, want < 0.4", d)
	}
}

// TestGenuineVsImpostor extracts every shared photo (Gate policy) and checks that same-person
// pairs are on average closer than different-person pairs.
func TestGenuineVsImpostor(t *testing.T) {
	if testing.Short() {
		t.Skip("extracts 33 photos (~1 min): skipped in -short")
	}
	e := extractor(t)
	entries, err := os.ReadDir(imagesDir)
	if err != nil {
		t.Skipf("shared photos unavailable: %v", err)
	}
	var names []string
	for _, en := range entries {
		if filepath.Ext(en.Name()) == ".jpg" && en.Name() != "pristin.jpg" {
			names = append(names, en.Name())
		}
	}
	sort.Strings(names)
	tpl := make([]biometric.Template, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Go(func() {
			b, err := os.ReadFile(filepath.Join(imagesDir, n))
			if err != nil {
				errs[i] = err
				return
			}
			r, err := e.Template(b, Gate)
			tpl[i], errs[i] = r.Template, err
		})
	}
	wg.Wait()
	var gen, imp []float64
	found := 0
	for i := range names {
		// HOG finds frontal faces of >= 80 px only; a photo without one is a result, not a bug.
		if errors.Is(errs[i], ErrNoFace) {
			t.Logf("%s: no face found by HOG", names[i])
			continue
		} else if errs[i] != nil {
			t.Errorf("%s: %v", names[i], errs[i])
			continue
		}
		found++
		for j := i + 1; j < len(names); j++ {
			if errs[j] != nil { // reported in the outer loop
				continue
			}
			d, err := biometric.Distance(tpl[i], tpl[j])
			if err != nil {
				t.Fatal(err)
			}
			if personOf(names[i]) == personOf(names[j]) {
				gen = append(gen, float64(d))
			} else {
				imp = append(imp, float64(d))
			}
		}
	}
	mg, mi := mean(gen), mean(imp)
	t.Logf("%d photos: %d genuine pairs mean %.3f, %d impostor pairs mean %.3f", len(names), len(gen), mg, len(imp), mi)
	if found < len(names)*3/4 {
		t.Errorf("faces found in only %d of %d photos", found, len(names))
	}
	if len(gen) == 0 || len(imp) == 0 || mg >= mi {
		t.Errorf("genuine mean %.3f not below impostor mean %.3f", mg, mi)
	}
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// TestConcurrentDeterministic: parallel calls through the pool give the sequential results.
func TestConcurrentDeterministic(t *testing.T) {
	e := extractor(t)
	b := readPhoto(t, "tzuyu.jpg")
	want, err := e.Template(b, Enrol)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := e.Template(b, Enrol)
			if err != nil || got.Template != want.Template || got.Box != want.Box {
				t.Errorf("parallel result differs: %v", err)
			}
		})
	}
	wg.Wait()
}

// TestCNNWithRealDetector runs the MMOD CNN path with the real detector from ../shared/models
// (the product never ships it; the operator supplies it through IDGATE_CNN_DETECTOR).
func TestCNNWithRealDetector(t *testing.T) {
	if testing.Short() {
		t.Skip("CNN detection takes seconds per image: skipped in -short")
	}
	models := modelsDir(t)
	real, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "models", facemodel.DetectorFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(real); err != nil {
		t.Skipf("real CNN detector unavailable: %v", err)
	}
	dir := t.TempDir()
	for _, f := range []string{"shape_predictor_5_face_landmarks.dat", facemodel.ResNetFile} {
		abs, _ := filepath.Abs(filepath.Join(models, f))
		if err := os.Symlink(abs, filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(real, filepath.Join(dir, facemodel.DetectorFile)); err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{ModelsDir: dir, Workers: 1, Detector: DetectorCNN})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	b := readPhoto(t, "tzuyu.jpg")
	cnn, err := e.Template(b, Enrol)
	if err != nil {
		t.Fatal(err)
	}
	hog, err := extractor(t).Template(b, Enrol)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := biometric.Distance(cnn.Template, hog.Template)
	t.Logf("CNN box %v, HOG box %v, template distance %.3f", cnn.Box, hog.Box, d)
	if !cnn.Box.Overlaps(hog.Box) || d > 0.3 {
		t.Errorf("CNN and HOG disagree: boxes %v %v, distance %.3f", cnn.Box, hog.Box, d)
	}
}

// TestTemplateAndRunsAlsoOnTheChosenFace: also sees the upright picture and the chosen box,
// and a panic in it reaches the caller's goroutine rather than ending the process.
func TestTemplateAndRunsAlsoOnTheChosenFace(t *testing.T) {
	e := extractor(t)
	b, err := facephotos.Read(facephotos.Names()[0])
	if err != nil {
		t.Fatal(err)
	}
	var gotBox image.Rectangle
	var gotImg image.Image
	res, err := e.TemplateAnd(b, Gate, func(img image.Image, box image.Rectangle) { gotImg, gotBox = img, box })
	if err != nil {
		t.Fatal(err)
	}
	if gotBox != res.Box || gotImg != res.Image {
		t.Errorf("also saw box %v, result has %v", gotBox, res.Box)
	}
	if _, err := e.TemplateAnd([]byte("not a picture"), Gate, nil); err == nil {
		t.Error("bad bytes accepted")
	}
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want the panic of also", r)
		}
		// Every call, whether answered, refused or panicking, leaves the busy count.
		if n := e.busy.Load(); n != 0 {
			t.Errorf("%d calls still counted busy", n)
		}
	}()
	_, _ = e.TemplateAnd(b, Gate, func(image.Image, image.Rectangle) { panic("boom") })
	t.Error("TemplateAnd returned after also panicked")
}

// TestThreads checks that a call splits its decode, detection and descriptor over two threads
// only while every busy call has two cores, unless Config.Threads says otherwise.
func TestThreads(t *testing.T) {
	for _, c := range []struct{ busy, procs, want int }{
		{1, 1, 1}, {1, 2, 2}, {2, 2, 1}, {2, 4, 2}, {3, 4, 1}, {4, 8, 2}, {5, 8, 1},
	} {
		if got := threadsFor(c.busy, c.procs); got != c.want {
			t.Errorf("%d busy on %d cores: %d threads, want %d", c.busy, c.procs, got, c.want)
		}
	}
	for _, c := range []struct{ cfg, want int }{{1, 1}, {2, 2}, {3, 2}} {
		e := Extractor{cfg: Config{Threads: c.cfg}}
		e.busy.Store(100)
		if got := e.threads(); got != c.want {
			t.Errorf("Threads %d: %d threads, want %d", c.cfg, got, c.want)
		}
	}
}

// TestThreadsSameTemplates checks that one and two threads give the same template, face box
// and landmarks bit for bit on every photo driftPhotos has (the descriptor's convolutions, the
// decode and the detection all split).
func TestThreadsSameTemplates(t *testing.T) {
	dir := modelsDir(t)
	var ext [2]*Extractor
	for i := range ext {
		e, err := New(Config{ModelsDir: dir, Workers: 1, Threads: i + 1})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		ext[i] = e
	}
	photos := driftPhotos(t)
	names := make([]string, 0, len(photos))
	for n := range photos {
		names = append(names, n)
	}
	sort.Strings(names)
	faces := 0
	for _, n := range names {
		one, err1 := ext[0].Template(photos[n], Gate)
		two, err2 := ext[1].Template(photos[n], Gate)
		if (err1 == nil) != (err2 == nil) {
			t.Errorf("%s: one thread %v, two %v", n, err1, err2)
			continue
		}
		if err1 != nil {
			continue
		}
		faces++
		if one.Template != two.Template || one.Box != two.Box || !slices.Equal(one.Landmarks, two.Landmarks) {
			d, _ := biometric.Distance(one.Template, two.Template)
			t.Errorf("%s: two threads moved the template by %g, box %v (one thread %v)", n, d, two.Box, one.Box)
		}
	}
	if faces == 0 {
		t.Fatal("no face in any photo")
	}
	t.Logf("%d photos, %d with a face: the same templates on one and two threads", len(names), faces)
}
