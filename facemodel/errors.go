package facemodel

import "errors"

// ErrInvalidModel is matched (errors.Is) by every *Error: the input weights or manifest
// cannot be turned into a model.
var ErrInvalidModel = errors.New("facemodel: invalid model input")

// Stable machine codes carried by *Error.
const (
	CodeTooLarge      = "too_large"        // manifest or weights exceed the size bounds
	CodeManifestJSON  = "manifest_json"    // manifest is not the TF.js JSON shape
	CodeBadShape      = "bad_shape"        // a shape is empty, negative or too big
	CodeBadDType      = "bad_dtype"        // dtype or quantization dtype not supported
	CodeBadQuant      = "bad_quantization" // scale/min not finite
	CodeTruncated     = "truncated"        // weights shorter than the manifest says
	CodeTrailing      = "trailing_bytes"   // weights longer than the manifest says
	CodeDuplicate     = "duplicate_name"   // a tensor name appears twice
	CodeMissing       = "missing_tensor"   // the ResNet needs a tensor the manifest lacks
	CodeShapeMismatch = "shape_mismatch"   // a tensor has the wrong shape for the ResNet
	CodeNonFinite     = "non_finite"       // a weight is NaN or Inf
)

// Error is a typed, fail-closed error for untrusted model inputs.
type Error struct {
	Code   string
	Detail string
}

func (e *Error) Error() string { return "facemodel: " + e.Code + ": " + e.Detail }

// Is makes every *Error match ErrInvalidModel.
func (e *Error) Is(target error) bool { return target == ErrInvalidModel }

func errf(code, detail string) error { return &Error{Code: code, Detail: detail} }
