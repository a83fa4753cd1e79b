package face

import (
	"errors"
	"fmt"
	"image"
	"math"
	"strconv"
	"strings"
)

// Quality is what the capture checks measure on the chosen face of a Result.
type Quality struct {
	// EyeDistance is the distance between the eye centres from the landmarks, in px of the
	// upright picture: how many pixels the face really has.
	EyeDistance float64 `json:"eye_distance"`
	// Sharpness is the variance of the Laplacian of the face's gray levels, the face first
	// resampled to 128x128 so the figure does not depend on its size. Blur lowers it.
	Sharpness float64 `json:"sharpness"`
	// Brightness is the mean luma (0-255) of the face's central part.
	Brightness float64 `json:"brightness"`
	// Roll is the angle of the eye line from horizontal, in degrees (head tilted sideways).
	Roll float64 `json:"roll"`
	// Yaw is the nose tip's horizontal offset from the eyes' midpoint, in eye distances, with
	// roll removed: about 0 for a frontal face, growing as the head turns.
	Yaw float64 `json:"yaw"`
	// SecondFace is the side of the largest other face over the chosen face's side (0 alone):
	// near 1, someone else is as close to the camera as the traveller.
	SecondFace float64 `json:"second_face"`
}

// QualityThresholds are the limits of the capture checks. A zero field disables its check.
type QualityThresholds struct {
	MinEyeDistance float64 // px
	MinSharpness   float64
	MinBrightness  float64 // luma
	MaxBrightness  float64 // luma
	MaxRoll        float64 // degrees
	MaxYaw         float64 // eye distances
	MaxSecondFace  float64 // side ratio
}

// DefaultQualityThresholds are the defaults of the gate's capture checks. docs/biometrics.md
// gives what the repository's photos and degraded copies of them measure against each.
func DefaultQualityThresholds() QualityThresholds {
	return QualityThresholds{
		MinEyeDistance: 30,
		MinSharpness:   25,
		MinBrightness:  50,
		MaxBrightness:  215,
		MaxRoll:        25,
		MaxYaw:         0.35,
		MaxSecondFace:  0.8,
	}
}

// Capture-quality sub-reasons, stable machine strings.
const (
	QualityFaceTooSmall  = "face_too_small"
	QualityBlurred       = "blurred"
	QualityTooDark       = "too_dark"
	QualityOverexposed   = "overexposed"
	QualityHeadPose      = "head_pose"
	QualityMultipleFaces = "multiple_faces"
)

// Problems lists the sub-reasons q fails under t, in a fixed order (empty: usable).
func (q Quality) Problems(t QualityThresholds) []string {
	var p []string
	if t.MinEyeDistance > 0 && q.EyeDistance < t.MinEyeDistance {
		p = append(p, QualityFaceTooSmall)
	}
	if t.MinSharpness > 0 && q.Sharpness < t.MinSharpness {
		p = append(p, QualityBlurred)
	}
	if t.MinBrightness > 0 && q.Brightness < t.MinBrightness {
		p = append(p, QualityTooDark)
	}
	if t.MaxBrightness > 0 && q.Brightness > t.MaxBrightness {
		p = append(p, QualityOverexposed)
	}
	if (t.MaxRoll > 0 && math.Abs(q.Roll) > t.MaxRoll) || (t.MaxYaw > 0 && math.Abs(q.Yaw) > t.MaxYaw) {
		p = append(p, QualityHeadPose)
	}
	if t.MaxSecondFace > 0 && q.SecondFace >= t.MaxSecondFace {
		p = append(p, QualityMultipleFaces)
	}
	return p
}

// QualityError says why a capture is unusable; errors.Is(err, ErrCaptureQuality) holds.
type QualityError struct {
	Reasons []string
	Quality Quality
}

func (e *QualityError) Error() string {
	return ErrCaptureQuality.Error() + ": " + strings.Join(e.Reasons, ", ")
}

// Unwrap makes errors.Is(err, ErrCaptureQuality) and Code(err) work.
func (e *QualityError) Unwrap() error { return ErrCaptureQuality }

// QualityReasons returns the sub-reasons (the gate reads them through this method).
func (e *QualityError) QualityReasons() []string { return append([]string(nil), e.Reasons...) }

// IsQuality reports whether err is a capture-quality refusal.
func IsQuality(err error) bool { return errors.Is(err, ErrCaptureQuality) }

// measureQuality measures the chosen face of a result.
func measureQuality(img image.Image, box image.Rectangle, landmarks []image.Point, faces []image.Rectangle) Quality {
	var q Quality
	if l, r, nose, ok := eyesAndNose(landmarks); ok {
		if l.X > r.X {
			l, r = r, l
		}
		dx, dy := r.X-l.X, r.Y-l.Y
		q.EyeDistance = math.Hypot(dx, dy)
		q.Roll = math.Atan2(dy, dx) * 180 / math.Pi
		if q.EyeDistance > 0 {
			mx, my := (l.X+r.X)/2, (l.Y+r.Y)/2
			// The nose's offset along the eye line, in eye distances.
			q.Yaw = ((nose.X-mx)*dx + (nose.Y-my)*dy) / (q.EyeDistance * q.EyeDistance)
		}
	}
	g := faceGray(img, box.Intersect(img.Bounds()))
	q.Sharpness = laplacianVariance(g)
	q.Brightness = centralMean(g)
	side := float64(min(box.Dx(), box.Dy()))
	for _, f := range faces {
		if f == box || side <= 0 {
			continue
		}
		q.SecondFace = max(q.SecondFace, float64(min(f.Dx(), f.Dy()))/side)
	}
	return q
}

type pt struct{ X, Y float64 }

// eyesAndNose returns the two eye centres and the nose tip from dlib's 68-point (eyes 36-41
// and 42-47, nose tip 30) or 5-point (eye corners 0-1 and 2-3, nose 4) landmarks.
func eyesAndNose(l []image.Point) (a, b, nose pt, ok bool) {
	mean := func(ps []image.Point) pt {
		var x, y float64
		for _, p := range ps {
			x += float64(p.X)
			y += float64(p.Y)
		}
		return pt{x / float64(len(ps)), y / float64(len(ps))}
	}
	switch len(l) {
	case 68:
		return mean(l[36:42]), mean(l[42:48]), mean(l[30:31]), true
	case 5:
		return mean(l[0:2]), mean(l[2:4]), mean(l[4:5]), true
	}
	return a, b, nose, false
}

// qualitySide is the size faces are resampled to for the sharpness and brightness measures.
const qualitySide = 128

// faceGray resamples the face region to qualitySide x qualitySide gray levels (BT.601 luma),
// each output pixel the mean of the source pixels it covers (nearest when enlarging).
func faceGray(img image.Image, r image.Rectangle) []float64 {
	g := make([]float64, qualitySide*qualitySide)
	if r.Empty() {
		return g
	}
	yc, isYCbCr := img.(*image.YCbCr)
	rgba, isRGBA := img.(*image.RGBA)
	luma := func(x, y int) float64 {
		switch {
		case isYCbCr:
			return float64(yc.Y[yc.YOffset(x, y)])
		case isRGBA:
			i := rgba.PixOffset(x, y)
			return 0.299*float64(rgba.Pix[i]) + 0.587*float64(rgba.Pix[i+1]) + 0.114*float64(rgba.Pix[i+2])
		}
		cr, cg, cb, _ := img.At(x, y).RGBA()
		return (0.299*float64(cr) + 0.587*float64(cg) + 0.114*float64(cb)) / 257
	}
	w, h := r.Dx(), r.Dy()
	for oy := 0; oy < qualitySide; oy++ {
		y0 := r.Min.Y + oy*h/qualitySide
		y1 := max(y0+1, r.Min.Y+(oy+1)*h/qualitySide)
		for ox := 0; ox < qualitySide; ox++ {
			x0 := r.Min.X + ox*w/qualitySide
			x1 := max(x0+1, r.Min.X+(ox+1)*w/qualitySide)
			var s float64
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					s += luma(x, y)
				}
			}
			g[oy*qualitySide+ox] = s / float64((y1-y0)*(x1-x0))
		}
	}
	return g
}

// laplacianVariance is the variance of the 4-neighbour Laplacian over the interior.
func laplacianVariance(g []float64) float64 {
	const n = qualitySide
	var sum, sq float64
	var cnt float64
	for y := 1; y < n-1; y++ {
		for x := 1; x < n-1; x++ {
			v := g[(y-1)*n+x] + g[(y+1)*n+x] + g[y*n+x-1] + g[y*n+x+1] - 4*g[y*n+x]
			sum += v
			sq += v * v
			cnt++
		}
	}
	m := sum / cnt
	return sq/cnt - m*m
}

// centralMean is the mean of the middle 60% of the face (hair and background left out).
func centralMean(g []float64) float64 {
	const n = qualitySide
	lo, hi := n/5, n-n/5
	var s float64
	for y := lo; y < hi; y++ {
		for x := lo; x < hi; x++ {
			s += g[y*n+x]
		}
	}
	return s / float64((hi-lo)*(hi-lo))
}

// ParseQualityThresholds reads thresholds written as comma-separated name=value pairs over
// the defaults, e.g. "min_eye_distance=40,max_yaw=0.3" (names: min_eye_distance,
// min_sharpness, min_brightness, max_brightness, max_roll, max_yaw, max_second_face; 0
// disables a check). An empty string gives the defaults.
func ParseQualityThresholds(s string) (QualityThresholds, error) {
	t := DefaultQualityThresholds()
	fields := map[string]*float64{
		"min_eye_distance": &t.MinEyeDistance, "min_sharpness": &t.MinSharpness,
		"min_brightness": &t.MinBrightness, "max_brightness": &t.MaxBrightness,
		"max_roll": &t.MaxRoll, "max_yaw": &t.MaxYaw, "max_second_face": &t.MaxSecondFace,
	}
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		name, val, ok := strings.Cut(kv, "=")
		p, known := fields[strings.TrimSpace(name)]
		if !ok || !known {
			return t, fmt.Errorf("face: capture quality setting %q is not name=value with a known name", kv)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return t, fmt.Errorf("face: capture quality setting %q needs a finite number >= 0", kv)
		}
		*p = v
	}
	return t, nil
}
