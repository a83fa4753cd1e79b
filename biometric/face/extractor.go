package face

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/biometric/face/internal/dlib"
	"github.com/idgate/idgate/biometric/face/internal/libjpeg"
	"github.com/idgate/idgate/facemodel"
)

// Policy says how many faces an image may hold and which one is used.
type Policy int

const (
	// Enrol requires exactly one face (ErrMultipleFaces otherwise).
	Enrol Policy = iota + 1
	// Gate uses the largest face: others in the queue behind the traveller are ignored.
	Gate
)

func (p Policy) String() string {
	switch p {
	case Enrol:
		return "enrol"
	case Gate:
		return "gate"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// Detector selects dlib's face detector.
type Detector int

const (
	// DetectorHOG is dlib's frontal HOG detector: the default.
	DetectorHOG Detector = iota
	// DetectorCNN is dlib's MMOD CNN (seconds per MP); it needs a real detector file.
	DetectorCNN
)

// Config configures an Extractor. Zero values take the defaults.
type Config struct {
	ModelsDir   string // holds the three dlib model files (see facemodel)
	Workers     int    // recognizers in the pool; default runtime.NumCPU()
	MinFaceSize int    // minimum face box side in px; default DefaultMinFaceSize
	MaxPixels   int    // width*height limit, checked before decoding; default DefaultMaxPixels (gates: GateMaxPixels)
	MaxBytes    int    // encoded size limit; default DefaultMaxBytes
	Detector    Detector
	// DetectSize, when positive, is the longer side in px of a copy scaled by averaging that
	// faces are detected on once (landmarks and descriptors always use full resolution): the
	// face box, and through it the landmarks, then differ from the full search's, moving
	// templates by up to 0.3 (docs/performance.md). Zero: the default search, whose boxes are
	// the full search's.
	DetectSize int
	// FastDecode gives dlib the capture as libjpeg-turbo decodes it, and liveness and the
	// quality checks the same pixels, instead of the reference pipeline's: image/jpeg's
	// decode re-encoded as a quality-95 JPEG (go-face's input) and decoded by libjpeg, which
	// the default computes bit for bit through libjpeg.Reference. Faster still to decode,
	// but JPEG noise moves templates by 0.01-0.06 (docs/performance.md).
	FastDecode bool
	// Threads is how many threads one call uses to decode, detect and compute the descriptor
	// (the same results either way). 0 (the default): two while each busy call has two cores
	// (GOMAXPROCS), else one; 1 or 2: always that many. Splitting costs CPU, so where
	// GOMAXPROCS overstates the cores (a container whose CPU limit Go rounds up to 2), set 1.
	Threads int
	// CheckQuality makes Template refuse, under the Gate policy, a capture whose Quality fails
	// QualityThresholds, with a *QualityError (ErrCaptureQuality).
	CheckQuality      bool
	QualityThresholds QualityThresholds
}

// Result is one extracted template, where the face was, and the picture it was found in, so
// that later checks (liveness, capture quality) reuse the one decode.
type Result struct {
	Template biometric.Template
	// Box is the chosen face in Image's coordinates, clipped to it.
	Box image.Rectangle
	// Landmarks are dlib's shape points of the chosen face in Image's coordinates (68 points
	// with the model make models installs: jaw 0-16, brows 17-26, nose 27-35, eyes 36-47,
	// mouth 48-67; 5 points with dlib's 5-point model).
	Landmarks []image.Point
	// Faces are every face box detected in Image, the chosen one included.
	Faces []image.Rectangle
	// Quality is what the capture checks measured on the chosen face.
	Quality Quality
	// Image is the decoded capture turned upright by its EXIF orientation, at full
	// resolution: *image.YCbCr or *image.RGBA with its origin at (0, 0). Read-only.
	Image image.Image
}

// engine is the slice of dlib an Extractor uses (*dlibEngine); one call at a time each.
type engine interface {
	Detect(img dlib.RGB, cnn bool, threads int) ([]image.Rectangle, error)
	DetectRGBA(img *image.RGBA, cnn bool, skip, threads int) ([]image.Rectangle, error)
	DescribeRGBA(img *image.RGBA, box image.Rectangle, threads int) ([]image.Point, [128]float32, error)
	Close()
}

// Extractor computes face templates with a pool of dlib recognizers. Safe for concurrent use.
type Extractor struct {
	cfg   Config
	model biometric.ModelID
	pool  chan engine
	done  chan struct{}
	once  sync.Once
	// busy counts the calls holding a recognizer, which decide how many threads to use.
	busy atomic.Int32
	// loaded counts the recognizers New created; set before the Extractor is shared.
	loaded int
}

// ModelIDForFile returns the template model id of a ResNet file: "dlibr1-" and the first 8 hex
// digits of its SHA-256.
func ModelIDForFile(path string) (biometric.ModelID, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return biometric.ModelID("dlibr1-" + hex.EncodeToString(h.Sum(nil))[:8]), nil
}

// New loads Workers recognizers from cfg.ModelsDir.
func New(cfg Config) (*Extractor, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.MinFaceSize <= 0 {
		cfg.MinFaceSize = DefaultMinFaceSize
	}
	if cfg.MaxPixels <= 0 {
		cfg.MaxPixels = DefaultMaxPixels
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Detector != DetectorHOG && cfg.Detector != DetectorCNN {
		return nil, fmt.Errorf("face: unknown detector %d", cfg.Detector)
	}
	// go-face aborts the whole NewRecognizer on any missing file; check first for a clear error.
	for _, f := range []string{"shape_predictor_5_face_landmarks.dat", facemodel.ResNetFile, facemodel.DetectorFile} {
		if st, err := os.Stat(filepath.Join(cfg.ModelsDir, f)); err != nil || !st.Mode().IsRegular() {
			return nil, wrap(ErrModels, fmt.Sprintf("%s missing in %q (run make models)", f, cfg.ModelsDir))
		}
	}
	if cfg.Detector == DetectorCNN {
		ph, err := facemodel.IsPlaceholderDetector(cfg.ModelsDir)
		if err != nil {
			return nil, wrap(ErrModels, err.Error())
		}
		if ph {
			return nil, wrap(ErrCNNUnavailable, "set IDGATE_CNN_DETECTOR to a real mmod_human_face_detector.dat and rerun make models")
		}
	}
	model, err := ModelIDForFile(filepath.Join(cfg.ModelsDir, facemodel.ResNetFile))
	if err != nil {
		return nil, wrap(ErrModels, err.Error())
	}
	e := &Extractor{cfg: cfg, model: model, pool: make(chan engine, cfg.Workers), done: make(chan struct{})}
	for i := 0; i < cfg.Workers; i++ {
		r, err := dlib.New(cfg.ModelsDir, cfg.Detector == DetectorCNN)
		if err != nil {
			e.Close()
			return nil, wrap(ErrModels, err.Error())
		}
		e.pool <- r
		e.loaded++
	}
	return e, nil
}

// ModelID is the id stamped on every template this extractor makes.
func (e *Extractor) ModelID() biometric.ModelID { return e.model }

// Template extracts the face template from an encoded JPEG or PNG under policy.
//
// The picture is decoded once and turned upright; dlib gets one set of pixels made from it
// (dlibPixels), on which faces are searched from the coarse end of the detector's image
// pyramid (see detect) and the chosen face's landmarks and descriptor are computed at full
// resolution on the region around it.
func (e *Extractor) Template(img []byte, policy Policy) (Result, error) {
	return e.TemplateAnd(img, policy, nil)
}

// FaceFunc is work on the chosen face, given the upright picture and the face's box in it
// (Result's Image and Box), e.g. a liveness check.
type FaceFunc func(img image.Image, box image.Rectangle)

// TemplateAnd is Template that also runs also, when not nil, on the chosen face while the
// face's landmarks and descriptor are computed, and returns once both are done: on a gate
// with a second core, a liveness check adds no time to the answer. also runs only when a face
// was chosen; it must not keep img.
func (e *Extractor) TemplateAnd(img []byte, policy Policy, also FaceFunc) (Result, error) {
	if policy != Enrol && policy != Gate {
		return Result{}, fmt.Errorf("face: unknown policy %d", int(policy))
	}
	// The worker slot is taken before decoding: decoding untrusted bytes costs up to
	// MaxPixels*8 bytes and seconds of CPU, so concurrent decodes are bounded by Workers too.
	r, err := e.acquire()
	if err != nil {
		return Result{}, err
	}
	defer e.release(r)
	e.busy.Add(1)
	defer e.busy.Add(-1)
	up, pix, err := e.decode(img, e.threads())
	if err != nil {
		return Result{}, err
	}
	// Asked again: a call that arrived meanwhile may now need the second core.
	faces, err := e.detect(r, pix, policy, e.threads())
	if err != nil {
		return Result{}, err
	}
	best, err := e.pick(faces, policy)
	if err != nil {
		return Result{}, err
	}
	var done chan struct{}
	var alsoPanic any
	if also != nil {
		done = make(chan struct{})
		go func() {
			defer close(done)
			// A panic in also is re-raised on the caller's goroutine, where its recovery
			// (an HTTP server's, a test's) can see it, instead of ending the process here.
			defer func() { alsoPanic = recover() }()
			also(up, best.Intersect(up.Bounds()))
		}()
	}
	// Asked again, as before detection.
	shape, desc, err := describe(r, pix, best, e.threads())
	if done != nil {
		<-done
		if alsoPanic != nil {
			panic(alsoPanic)
		}
	}
	if err != nil {
		return Result{}, err
	}
	t, err := biometric.NewTemplate(e.model, desc[:])
	if err != nil {
		return Result{}, wrap(ErrInternal, err.Error())
	}
	res := Result{Template: t, Box: best.Intersect(up.Bounds()), Landmarks: shape, Faces: faces, Image: up}
	res.Quality = measureQuality(up, best, shape, faces)
	if e.cfg.CheckQuality && policy == Gate {
		if p := res.Quality.Problems(e.cfg.QualityThresholds); len(p) > 0 {
			return res, &QualityError{Reasons: p, Quality: res.Quality}
		}
	}
	return res, nil
}

// decode turns untrusted bytes into the upright picture and the pixels dlib sees, by
// default through libjpeg.Reference, which computes the reference pipeline's two pictures
// (below) bit for bit at ~0.36 of the CPU, for the JPEGs it mirrors; otherwise through the
// pipeline itself, which also decides what to make of any input the fast route refuses.
func (e *Extractor) decode(img []byte, threads int) (image.Image, *image.RGBA, error) {
	l := limits{maxBytes: e.cfg.MaxBytes, maxPixels: e.cfg.MaxPixels}
	if !e.cfg.FastDecode {
		if up, pix, ok := referencePixels(img, l, threads); ok {
			return up, pix, nil
		}
	}
	up, err := decodeUprightWith(img, l, e.cfg.FastDecode)
	if err != nil {
		return nil, nil, err
	}
	pix, err := e.dlibPixels(up)
	if err != nil {
		return nil, nil, err
	}
	return up, pix, nil
}

// dlibPixels are the pixels dlib sees. By default those of go-face's pipeline, whose
// templates idgate keeps: the upright picture encoded as a baseline JPEG (quality 95) and
// decoded by libjpeg with its defaults. With FastDecode, the upright decode itself.
func (e *Extractor) dlibPixels(up image.Image) (*image.RGBA, error) {
	if e.cfg.FastDecode {
		if m, ok := up.(*image.RGBA); ok {
			return m, nil // decodeUpright's RGBA is opaque at (0, 0)
		}
		return toRGBA(up), nil
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, up, &jpeg.Options{Quality: dlibQuality}); err != nil {
		return nil, wrap(ErrInternal, err.Error())
	}
	b := up.Bounds()
	pix, err := libjpeg.Decode(jpg.Bytes(), b.Dx(), b.Dy())
	if err != nil {
		// We encoded this JPEG ourselves, so a failure here is a fault, not bad input.
		return nil, wrap(ErrInternal, err.Error())
	}
	return pix, nil
}

// dlibQuality is the JPEG quality of go-face's input in the reference pipeline.
const dlibQuality = 95

// detect finds the faces in up.
//
// Under the Enrol policy, which must see every face, the HOG detector searches the whole
// picture. Under Gate, by default (DetectSize 0), it gives the boxes of its full search of the
// picture, found with less work: its image pyramid (each level 5/6 of the one before) is
// searched only from the level whose long side is at most searchSize on; when the largest
// face found there is fewer than skipMargin levels coarser than the first level searched (the
// full search might prefer a box of that face from a finer level), the search is repeated
// from skipMargin levels below that face's level, and when no face is found, on the whole
// pyramid.
// Boxes of faces smaller than the first level searched can fire on are missing from Faces
// when a larger face is found: the Gate policy ignores them anyway, and the capture check for
// a second face near the camera counts only faces at least 0.8 times as large (found).
//
// With DetectSize set, detection runs once on a copy scaled to DetectSize by averaging and
// the boxes are scaled back (faster for small faces, but the boxes differ from the full
// search's: templates move, see docs/performance.md); if the copy shows no face, the full
// search runs.
func (e *Extractor) detect(r engine, up *image.RGBA, policy Policy, threads int) ([]image.Rectangle, error) {
	cnn := e.cfg.Detector == DetectorCNN
	if cnn {
		return engineDetect(r, up, true, 0, threads)
	}
	if e.cfg.DetectSize > 0 && max(up.Rect.Dx(), up.Rect.Dy()) > e.cfg.DetectSize {
		small, s := toRGB(up).downscale(e.cfg.DetectSize)
		faces, err := r.Detect(small.RGB, false, threads)
		if err != nil {
			// The pixels are our own buffer, so a failure here is an engine fault.
			return nil, wrap(ErrInternal, err.Error())
		}
		for i, f := range faces {
			faces[i] = image.Rect(unscale(f.Min.X, s), unscale(f.Min.Y, s), unscale(f.Max.X, s), unscale(f.Max.Y, s))
		}
		if len(faces) > 0 {
			return faces, nil
		}
		return engineDetect(r, up, false, 0, threads)
	}
	if e.cfg.DetectSize > 0 || policy == Enrol {
		return engineDetect(r, up, false, 0, threads)
	}
	skip := startLevel(max(up.Rect.Dx(), up.Rect.Dy()), searchSize)
	for {
		faces, err := engineDetect(r, up, false, skip, threads)
		if err != nil || skip == 0 {
			return faces, err
		}
		need := 0
		if len(faces) > 0 {
			need = max(0, hogLevel(largest(faces))-skipMargin)
		}
		if need >= skip {
			return faces, nil
		}
		skip = need
	}
}

// engineDetect runs the detector on our own pixels: a failure is an engine fault.
func engineDetect(r engine, up *image.RGBA, cnn bool, skip, threads int) ([]image.Rectangle, error) {
	faces, err := r.DetectRGBA(up, cnn, skip, threads)
	if err != nil {
		return nil, wrap(ErrInternal, err.Error())
	}
	return faces, nil
}

// searchSize is the long side in px of the first pyramid level the default detection searches:
// a face found on the level above it is at least ~180 px wide in a 1000 px picture.
const searchSize = 480

// skipMargin is how many levels finer than a face's own level the search must include for
// its box to be the full search's: dlib's HOG fires on a face at its own level and may fire on
// the neighbouring ones, and keeps the highest-scoring box. On every photo the tests measure,
// the full search's box of the largest face is found again when searching from its own level.
const skipMargin = 1

// startLevel is the first pyramid level (each 5/6 of the one before) whose long side is at
// most size, for a picture whose long side is long.
func startLevel(long, size int) int {
	k := 0
	for l := float64(long); l > float64(size); l = l * 5 / 6 {
		k++
	}
	return k
}

// hogLevel is the pyramid level at which dlib's HOG detector reports a face box of this size:
// hogBox px wide on the picture itself, 6/5 wider per level.
func hogLevel(box image.Rectangle) int {
	side := float64(box.Dx())
	if side <= hogBox {
		return 0
	}
	return int(math.Round(math.Log(side/hogBox) / math.Log(6.0/5)))
}

// hogBox is the width (image.Rectangle.Dx) of the face boxes dlib's frontal HOG detector
// reports from level 0 of its pyramid: 72 px (its 80 px window less padding); the tests' photos
// have boxes of 104, 125, 149, 179, 215, 258, 310, 372, 446, 535 and 642 px, levels 2 to 12.
const hogBox = 72

// largest is the face box of the largest area.
func largest(faces []image.Rectangle) image.Rectangle {
	best := faces[0]
	for _, f := range faces[1:] {
		if area(f) > area(best) {
			best = f
		}
	}
	return best
}

// unscale maps a pixel coordinate of the scaled image to the full-resolution one (pixel
// centres correspond: (v+0.5)/s - 0.5).
func unscale(v int, s float64) int {
	return int(math.Floor((float64(v)+0.5)/s - 0.5 + 0.5))
}

// describe places the landmarks of the face in box and computes its descriptor from the
// region of up around it, handed to dlib as the decoded pixels, on threads threads (the same
// descriptor either way).
func describe(r engine, up *image.RGBA, box image.Rectangle, threads int) ([]image.Point, [128]float32, error) {
	region := chipRegion(box, up.Bounds())
	sub := up.SubImage(region).(*image.RGBA)
	shape, desc, err := r.DescribeRGBA(sub, box.Sub(region.Min), threads)
	if err != nil {
		// The pixels are our own buffer, so a failure here is an engine fault, not bad input.
		return nil, desc, wrap(ErrInternal, err.Error())
	}
	for i := range shape {
		shape[i] = shape[i].Add(region.Min)
	}
	return shape, desc, nil
}

// chipRegion is the part of the picture (bounds) the landmarks and the 150x150 chip of a face
// in box can touch: the box grown by three quarters of its size on every side (the chip's
// padding with the head rolled 45 degrees stays inside), with its corners on the 16 px grid of
// dlib's chip pyramid (which halves the region when the chip is much smaller than the face),
// so that the chip is the one computed on the whole picture, or on the picture's edges.
func chipRegion(box, bounds image.Rectangle) image.Rectangle {
	m := 3 * max(box.Dx(), box.Dy()) / 4
	r := image.Rect(floorTo(box.Min.X-m, 16), floorTo(box.Min.Y-m, 16), ceilTo(box.Max.X+m, 16), ceilTo(box.Max.Y+m, 16))
	return r.Intersect(bounds)
}

func ceilTo(v, n int) int { return floorTo(v+n-1, n) }

func floorTo(v, n int) int {
	if v < 0 {
		return 0
	}
	return v - v%n
}

// pick applies the policy and the minimum size and returns the chosen face.
func (e *Extractor) pick(faces []image.Rectangle, policy Policy) (image.Rectangle, error) {
	if len(faces) == 0 {
		return image.Rectangle{}, ErrNoFace
	}
	if policy == Enrol && len(faces) > 1 {
		return image.Rectangle{}, wrap(ErrMultipleFaces, fmt.Sprintf("%d faces", len(faces)))
	}
	best := 0
	for i := range faces {
		if area(faces[i]) > area(faces[best]) {
			best = i
		}
	}
	f := faces[best]
	if side := min(f.Dx(), f.Dy()); side < e.cfg.MinFaceSize {
		return image.Rectangle{}, wrap(ErrFaceTooSmall, fmt.Sprintf("%d px, minimum %d", side, e.cfg.MinFaceSize))
	}
	return f, nil
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

// Close frees the recognizers once in-flight calls have returned theirs. Later calls fail
// with ErrClosed. Safe to call more than once.
func (e *Extractor) Close() {
	e.once.Do(func() {
		close(e.done)
		for i := 0; i < e.loaded; i++ {
			(<-e.pool).Close()
		}
	})
}
