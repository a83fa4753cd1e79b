package gate

import "errors"

// ReasonCaptureQuality denies a live_jpeg whose face was found but cannot be matched
// reliably; Decision.CaptureQuality names why, so the terminal asks for another capture
// instead of showing a false reject.
const ReasonCaptureQuality Reason = "capture_quality"

// Capture-quality sub-reasons (biometric/face's): face_too_small, blurred, too_dark,
// overexposed, head_pose, multiple_faces.
var captureQualityCodes = map[string]bool{
	"face_too_small": true, "blurred": true, "too_dark": true,
	"overexposed": true, "head_pose": true, "multiple_faces": true,
}

// qualityReasons returns the sub-reasons of a FaceExtractor error that refuses a capture for
// its quality (an error with a QualityReasons method), or nil. Only known codes pass.
func qualityReasons(err error) []string {
	var q interface{ QualityReasons() []string }
	if !errors.As(err, &q) {
		return nil
	}
	var out []string
	for _, r := range q.QualityReasons() {
		if captureQualityCodes[r] {
			out = append(out, r)
		}
	}
	return out
}
