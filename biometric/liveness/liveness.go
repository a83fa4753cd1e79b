package liveness

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"math"
	"sync"
)

// ModelID names the liveness model and its exact weights: "mfas1-" and the first 8 hex digits
// of SHA-256 over the two weight files' own SHA-256 digests (V2, then V1SE).
type ModelID string

// DefaultThreshold is the operating point on Result.Score, the mean of the two networks'
// live-class probabilities: 0.915, the default of the model publisher's own Android demo
// (minivision-ai/Silent-Face-Anti-Spoofing-APK, MainActivity.defaultThreshold), which compares
// the same mean with a threshold. The Python reference has no threshold (argmax, so a mean
// live probability just over 1/3 can pass); a gate wants the stricter published point.
const DefaultThreshold = 0.915

// Config configures a Checker. Zero values take the defaults.
type Config struct {
	// Threshold in (0, 1]: a face is live when Score ≥ Threshold. Default DefaultThreshold.
	Threshold float64
}

// model is one network with the crop scale its file name carries.
type model struct {
	name  string
	scale float64
	net   *network
}

// Checker runs passive liveness (presentation-attack detection) on a face in a photograph:
// MiniFASNetV2 on the face box scaled 2.7× and MiniFASNetV1SE on it scaled 4.0×, both resized
// to 80×80, their softmax live probabilities averaged. Safe for concurrent use.
type Checker struct {
	models    [2]model
	threshold float64
	id        ModelID
	work      sync.Pool // *scratch
}

// Result is one liveness decision.
type Result struct {
	Live  bool    // Score ≥ Threshold
	Score float64 // mean live-class probability of the two networks, 0..1
	// Probs are each network's softmax over (spoof class 0, live, spoof class 2): V2, V1SE.
	Probs [2][3]float32
	// Logits are the networks' raw outputs, in the same order.
	Logits [2][3]float32
	Box    image.Rectangle // the face box the crops were made around
}

// scratch is one inference's buffers.
type scratch struct {
	ws     *workspace
	tensor []float32
}

var (
	embeddedOnce sync.Once
	embeddedNets [2]*network
	embeddedErr  error
)

// New returns a Checker over the embedded weights (parsed once per process).
func New(cfg Config) (*Checker, error) {
	embeddedOnce.Do(func() {
		embeddedNets[0], embeddedErr = loadNetwork(weightsV2)
		if embeddedErr == nil {
			embeddedNets[1], embeddedErr = loadNetwork(weightsV1SE)
		}
	})
	if embeddedErr != nil {
		return nil, embeddedErr
	}
	return newChecker(cfg, embeddedNets, modelID(weightsV2, weightsV1SE))
}

// NewFromWeights returns a Checker over the given MiniFASNetV2 (2.7 crop) and MiniFASNetV1SE
// (4.0 crop) weight files in torch's legacy format.
func NewFromWeights(v2, v1se []byte, cfg Config) (*Checker, error) {
	a, err := loadNetwork(v2)
	if err != nil {
		return nil, fmt.Errorf("MiniFASNetV2: %w", err)
	}
	b, err := loadNetwork(v1se)
	if err != nil {
		return nil, fmt.Errorf("MiniFASNetV1SE: %w", err)
	}
	return newChecker(cfg, [2]*network{a, b}, modelID(v2, v1se))
}

func newChecker(cfg Config, nets [2]*network, id ModelID) (*Checker, error) {
	if cfg.Threshold == 0 {
		cfg.Threshold = DefaultThreshold
	}
	if !ValidThreshold(cfg.Threshold) {
		return nil, fmt.Errorf("%w: %v", ErrInvalidThreshold, cfg.Threshold)
	}
	c := &Checker{threshold: cfg.Threshold, id: id, models: [2]model{
		{name: "MiniFASNetV2", scale: 2.7, net: nets[0]},
		{name: "MiniFASNetV1SE", scale: 4.0, net: nets[1]},
	}}
	maxAct := max(nets[0].maxAct, nets[1].maxAct)
	c.work.New = func() any {
		return &scratch{ws: newWorkspace(maxAct), tensor: make([]float32, 3*inputSize*inputSize)}
	}
	return c, nil
}

// ValidThreshold reports whether t is usable as an operating threshold: finite, in (0, 1].
func ValidThreshold(t float64) bool { return t > 0 && t <= 1 && !math.IsNaN(t) }

// loadNetwork parses one network's weights (torch's legacy serialization of a MiniFASNetV2 or V1SE
// state dict) and checks every tensor against the architecture. Untrusted bytes give
// ErrModelFormat, never a panic.
func loadNetwork(b []byte) (*network, error) {
	t, err := readPth(b)
	if err != nil {
		return nil, err
	}
	return buildNetwork(t)
}

func modelID(v2, v1se []byte) ModelID {
	a, b := sha256.Sum256(v2), sha256.Sum256(v1se)
	h := sha256.Sum256(append(a[:], b[:]...))
	return ModelID("mfas1-" + hex.EncodeToString(h[:])[:8])
}

// ModelID names the weights this Checker runs.
func (c *Checker) ModelID() ModelID { return c.id }

// Threshold is the operating threshold on Result.Score.
func (c *Checker) Threshold() float64 { return c.threshold }

// Check decides whether the face in box of img is live. img must be upright (EXIF orientation
// applied) and box the face detector's box in img's coordinates; the box is clipped to the
// image first.
func (c *Checker) Check(img image.Image, box image.Rectangle) (Result, error) {
	b := img.Bounds()
	box = box.Intersect(b)
	if box.Dx() < 2 || box.Dy() < 2 || b.Dx() < 2 || b.Dy() < 2 {
		return Result{}, ErrInvalidBox
	}
	s := c.work.Get().(*scratch)
	defer c.work.Put(s)
	r := Result{Box: box}
	x, y := box.Min.X-b.Min.X, box.Min.Y-b.Min.Y
	for i, m := range c.models {
		l, t, rr, bb := cropBox(x, y, box.Dx(), box.Dy(), b.Dx(), b.Dy(), m.scale)
		cropResize(img, l, t, rr, bb, s.tensor, nil)
		m.net.forward(s.ws, s.tensor, &r.Logits[i])
		r.Probs[i] = softmax(r.Logits[i])
	}
	r.Score = (float64(r.Probs[0][1]) + float64(r.Probs[1][1])) / 2
	r.Live = r.Score >= c.threshold
	return r, nil
}

// softmax in float64, returned as float32 (the reference's precision).
func softmax(z [3]float32) [3]float32 {
	m := math.Max(float64(z[0]), math.Max(float64(z[1]), float64(z[2])))
	var e [3]float64
	var s float64
	for i, v := range z {
		e[i] = math.Exp(float64(v) - m)
		s += e[i]
	}
	return [3]float32{float32(e[0] / s), float32(e[1] / s), float32(e[2] / s)}
}
