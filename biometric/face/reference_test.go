package face

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	goface "github.com/Kagami/go-face"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/internal/facephotos"
)

// The reference pipeline is go-face's: the upright picture re-encoded as a baseline JPEG
// (quality 95) and given whole to (*goface.Recognizer).Recognize, which detects at full
// resolution, places the landmarks and describes every face. The Extractor must keep its
// templates (it detects on a scaled copy and describes only the chosen face).

var (
	refOnce sync.Once
	refRec  *goface.Recognizer
	refErr  error
	refMu   sync.Mutex // go-face serializes per Recognizer anyway
)

// referenceJPEG is the upright picture as the JPEG the reference pipeline feeds go-face.
func referenceJPEG(t testing.TB, b []byte) []byte {
	t.Helper()
	img, err := decodeUpright(b, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// referenceFaces runs the reference pipeline on encoded image bytes.
func referenceFaces(t testing.TB, b []byte) []goface.Face {
	t.Helper()
	dir := modelsDir(t)
	refOnce.Do(func() { refRec, refErr = goface.NewRecognizer(dir) })
	if refErr != nil {
		t.Fatal(refErr)
	}
	jpg := referenceJPEG(t, b)
	refMu.Lock()
	defer refMu.Unlock()
	faces, err := refRec.Recognize(jpg)
	if err != nil {
		t.Fatal(err)
	}
	return faces
}

// refCache holds referenceTemplate's answers by photo bytes: the drift tests share them.
var refCache sync.Map // string -> refAnswer

type refAnswer struct {
	tpl biometric.Template
	box image.Rectangle
}

// referenceTemplate is the reference pipeline's template of the largest face.
func referenceTemplate(t testing.TB, e *Extractor, b []byte) (biometric.Template, image.Rectangle) {
	t.Helper()
	if a, ok := refCache.Load(string(b)); ok {
		return a.(refAnswer).tpl, a.(refAnswer).box
	}
	tpl, box := referenceTemplateUncached(t, e, b)
	refCache.Store(string(b), refAnswer{tpl, box})
	return tpl, box
}

func referenceTemplateUncached(t testing.TB, e *Extractor, b []byte) (biometric.Template, image.Rectangle) {
	t.Helper()
	faces := referenceFaces(t, b)
	if len(faces) == 0 {
		return biometric.Template{}, image.Rectangle{}
	}
	best := faces[0]
	for _, f := range faces {
		if area(f.Rectangle) > area(best.Rectangle) {
			best = f
		}
	}
	tpl, err := biometric.NewTemplate(e.ModelID(), best.Descriptor[:])
	if err != nil {
		t.Fatal(err)
	}
	return tpl, best.Rectangle
}

// driftPhotos are the repository's photos and, when ../shared is present, its public-domain
// and go-face test photos (group photos left out: the largest face is not a stable pick).
func driftPhotos(t testing.TB) map[string][]byte {
	photos := map[string][]byte{}
	for _, n := range facephotos.Names() {
		b, err := facephotos.Read(n)
		if err != nil {
			t.Fatal(err)
		}
		photos["repo/"+n] = b
	}
	shared := filepath.Join("..", "..", "..", "shared", "faces")
	for _, dir := range []string{"public-domain", "go-face-testdata/images"} {
		names, _ := filepath.Glob(filepath.Join(shared, dir, "*.jpg"))
		for _, p := range names {
			if base := filepath.Base(p); base == "pristin.jpg" || base == "obama_and_biden.jpg" {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			photos[dir+"/"+filepath.Base(p)] = b
		}
	}
	if len(photos) == len(facephotos.Names()) {
		t.Log("../shared/faces absent: measuring the repository's photos only")
	}
	return photos
}

// TestDescriptorsKept: on every photo, the Extractor's template is the reference pipeline's
// to within 0.01 of distance between any two photos (and the same face box within a few px).
func TestDescriptorsKept(t *testing.T) {
	drift(t, extractor(t), 0.01)
}

// TestFastDetectDrift measures what detecting on a 640 px copy (FastDetectSize) does to the
// templates: the box, and through it the landmarks, move. Reported in docs/performance.md.
func TestFastDetectDrift(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement: skipped in -short")
	}
	e, err := New(Config{ModelsDir: modelsDir(t), Workers: 2, DetectSize: FastDetectSize})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	drift(t, e, 0.2)
}

// TestFastDecodeDrift measures what FastDecode does to the templates: dlib sees the capture as
// libjpeg-turbo decodes it instead of the reference pipeline's quality-95 re-encode, so the
// JPEG noise differs. Reported in docs/performance.md.
func TestFastDecodeDrift(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement: skipped in -short")
	}
	e, err := New(Config{ModelsDir: modelsDir(t), Workers: 2, FastDecode: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	drift(t, e, 0.05)
}

// drift compares e's templates with the reference pipeline's on driftPhotos and fails when a
// pairwise distance changes by limit or more.
func drift(t *testing.T, e *Extractor, limit float32) {
	photos := driftPhotos(t)
	names := make([]string, 0, len(photos))
	for n := range photos {
		names = append(names, n)
	}
	sort.Strings(names)
	ours := make([]biometric.Template, len(names))
	ref := make([]biometric.Template, len(names))
	found := make([]bool, len(names))
	var self []float64
	for i, n := range names {
		res, err := e.Template(photos[n], Gate)
		var box image.Rectangle
		ref[i], box = referenceTemplate(t, e, photos[n])
		if err != nil && !box.Empty() { // a face the reference finds must not be lost
			t.Errorf("%s: reference box %v, ours %v", n, box, err)
		}
		if err != nil || box.Empty() {
			t.Logf("%s: no face for the reference or for ours (%v); left out", n, err)
			continue
		}
		ours[i], found[i] = res.Template, true
		d := distance(t, ours[i], ref[i])
		self = append(self, float64(d))
		t.Logf("%s: template moved %.4f, box %v (reference %v)", n, d, res.Box, box)
		if !res.Box.Overlaps(box) {
			t.Errorf("%s: box %v, reference %v", n, res.Box, box)
		}
	}
	var worst float32
	var pair string
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if !found[i] || !found[j] {
				continue
			}
			d := distance(t, ours[i], ours[j]) - distance(t, ref[i], ref[j])
			if d < 0 {
				d = -d
			}
			if d > worst {
				worst, pair = d, names[i]+" – "+names[j]
			}
		}
	}
	sort.Float64s(self)
	t.Logf("%d photos: template moved median %.4f, max %.4f; pairwise distances changed at most %.4f (%s)",
		len(names), self[len(self)/2], self[len(self)-1], worst, pair)
	if worst >= limit {
		t.Errorf("a pairwise distance changed by %.4f (%s), limit %.2f", worst, pair, limit)
	}
}
