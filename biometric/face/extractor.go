package face

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	goface "github.com/Kagami/go-face"

	"github.com/idgate/idgate/biometric"
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
	// DetectorHOG is dlib's frontal HOG detector (~0.1 s per MP): the default.
	DetectorHOG Detector = iota
	// DetectorCNN is dlib's MMOD CNN (~4 s per MP here); it needs a real detector file.
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
	// Image is the decoded capture turned upright by its EXIF orientation, at full
	// resolution: *image.YCbCr or *image.RGBA with its origin at (0, 0). Read-only.
	Image image.Image
}

// recognizer is the slice of *goface.Recognizer the extractor uses.
type recognizer interface {
	Recognize(img []byte) ([]goface.Face, error)
	RecognizeCNN(img []byte) ([]goface.Face, error)
	Close()
}

// Extractor computes face templates with a pool of dlib recognizers. Safe for concurrent use.
type Extractor struct {
	cfg   Config
	model biometric.ModelID
	pool  chan recognizer
	done  chan struct{}
	once  sync.Once
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
	e := &Extractor{cfg: cfg, model: model, pool: make(chan recognizer, cfg.Workers), done: make(chan struct{})}
	for i := 0; i < cfg.Workers; i++ {
		r, err := goface.NewRecognizer(cfg.ModelsDir)
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
func (e *Extractor) Template(img []byte, policy Policy) (Result, error) {
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
	p, err := prepare(img, limits{maxBytes: e.cfg.MaxBytes, maxPixels: e.cfg.MaxPixels})
	if err != nil {
		return Result{}, err
	}
	faces, err := e.run(r, p.jpeg)
	if err != nil {
		return Result{}, err
	}
	res, err := e.pick(faces, p.bounds, policy)
	if err != nil {
		return Result{}, err
	}
	res.Image = p.img
	return res, nil
}

// acquire takes a recognizer from the pool (ErrClosed once Close was called).
func (e *Extractor) acquire() (recognizer, error) {
	var r recognizer
	select {
	case <-e.done:
		return nil, ErrClosed
	case r = <-e.pool:
	}
	select {
	case <-e.done:
		e.release(r)
		return nil, ErrClosed
	default:
	}
	return r, nil
}

func (e *Extractor) release(r recognizer) { e.pool <- r }

// recognize runs jpg through a pooled recognizer.
func (e *Extractor) recognize(jpg []byte) ([]goface.Face, error) {
	r, err := e.acquire()
	if err != nil {
		return nil, err
	}
	defer e.release(r)
	return e.run(r, jpg)
}

// run detects and describes the faces in jpg with r, which the caller holds.
func (e *Extractor) run(r recognizer, jpg []byte) ([]goface.Face, error) {
	var faces []goface.Face
	var err error
	if e.cfg.Detector == DetectorCNN {
		faces, err = r.RecognizeCNN(jpg)
	} else {
		faces, err = r.Recognize(jpg)
	}
	if err != nil {
		// We encoded this JPEG ourselves, so a load error here is an engine fault, not bad input.
		return nil, wrap(ErrInternal, err.Error())
	}
	return faces, nil
}

// pick applies the policy and the minimum size, then wraps the descriptor.
func (e *Extractor) pick(faces []goface.Face, bounds image.Rectangle, policy Policy) (Result, error) {
	if len(faces) == 0 {
		return Result{}, ErrNoFace
	}
	if policy == Enrol && len(faces) > 1 {
		return Result{}, wrap(ErrMultipleFaces, fmt.Sprintf("%d faces", len(faces)))
	}
	best := 0
	for i := range faces {
		if area(faces[i].Rectangle) > area(faces[best].Rectangle) {
			best = i
		}
	}
	f := faces[best]
	box := f.Rectangle.Intersect(bounds)
	if side := min(f.Rectangle.Dx(), f.Rectangle.Dy()); side < e.cfg.MinFaceSize {
		return Result{}, wrap(ErrFaceTooSmall, fmt.Sprintf("%d px, minimum %d", side, e.cfg.MinFaceSize))
	}
	t, err := biometric.NewTemplate(e.model, f.Descriptor[:])
	if err != nil {
		return Result{}, wrap(ErrInternal, err.Error())
	}
	all := make([]image.Rectangle, len(faces))
	for i := range faces {
		all[i] = faces[i].Rectangle
	}
	return Result{Template: t, Box: box, Landmarks: f.Shapes, Faces: all}, nil
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
