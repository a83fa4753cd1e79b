package face

import "errors"

// Error is this package's typed error; Code is a stable machine string.
type Error struct {
	Code string
	msg  string
}

func (e *Error) Error() string { return "face: " + e.msg }

// Sentinels: match with errors.Is; errors.As(*Error) gives the Code.
var (
	ErrNoFace         = &Error{"no_face", "no face found"}
	ErrMultipleFaces  = &Error{"multiple_faces", "more than one face (enrolment needs exactly one)"}
	ErrFaceTooSmall   = &Error{"face_too_small", "face smaller than the minimum size"}
	ErrUndecodable    = &Error{"undecodable", "image cannot be decoded (JPEG or PNG expected)"}
	ErrTooLarge       = &Error{"too_large", "image exceeds the size limits"}
	ErrCNNUnavailable = &Error{"cnn_unavailable", "CNN detection requested but only the placeholder detector is installed"}
	ErrModels         = &Error{"models_unavailable", "face models cannot be loaded"}
	ErrClosed         = &Error{"closed", "extractor is closed"}
	ErrInternal       = &Error{"internal", "face engine failed"}
	// ErrCaptureQuality: the face was found but the capture is unusable; the error is a
	// *QualityError naming why.
	ErrCaptureQuality = &Error{"capture_quality", "capture unusable"}
)

// detail wraps a sentinel with context while keeping errors.Is/As working.
type detail struct {
	base *Error
	text string
}

func (d *detail) Error() string { return d.base.Error() + ": " + d.text }
func (d *detail) Unwrap() error { return d.base }

func wrap(base *Error, text string) error { return &detail{base, text} }

// Code returns the machine code of a face error, or "" for other errors.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
