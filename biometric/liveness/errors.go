package liveness

import "errors"

// Error is this package's typed error; Code is stable and safe for API responses and metrics.
type Error struct {
	Code string
	msg  string
}

func (e *Error) Error() string { return "liveness: " + e.msg }

// Sentinel errors; match with errors.Is.
var (
	// ErrModelFormat: weight bytes that are not exactly a MiniFASNet state dict in torch's
	// legacy format (wrong structure, shapes, sizes or trailing bytes).
	ErrModelFormat error = &Error{Code: "liveness_model_format", msg: "malformed liveness model"}
	// ErrInvalidBox: a face box that is empty or outside the image.
	ErrInvalidBox error = &Error{Code: "liveness_invalid_box", msg: "face box empty or outside the image"}
	// ErrInvalidThreshold: an operating threshold outside (0, 1].
	ErrInvalidThreshold error = &Error{Code: "liveness_invalid_threshold", msg: "threshold must be in (0, 1]"}
)

// CodeOf returns the Code of a liveness error, or "" for any other error.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
