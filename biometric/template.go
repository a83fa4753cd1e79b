package biometric

import (
	"errors"
	"fmt"
	"math"
)

// Dim is the length of a face descriptor from dlib's ResNet model.
const Dim = 128

// ModelID names the descriptor model that produced a template (a short hash of the model file).
// Templates from different models live in different spaces and are never compared.
type ModelID string

// Template is one face descriptor together with the model that produced it.
type Template struct {
	Model  ModelID
	Vector [Dim]float32
}

// ErrInvalidTemplate is returned for vectors with the wrong length or non-finite values.
var ErrInvalidTemplate = errors.New("biometric: invalid template")

// NewTemplate validates a descriptor and wraps it as a Template.
func NewTemplate(model ModelID, v []float32) (Template, error) {
	var t Template
	if model == "" {
		return t, fmt.Errorf("%w: empty model id", ErrInvalidTemplate)
	}
	if len(v) != Dim {
		return t, fmt.Errorf("%w: %d values, want %d", ErrInvalidTemplate, len(v), Dim)
	}
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return t, fmt.Errorf("%w: value %d is not finite", ErrInvalidTemplate, i)
		}
	}
	t.Model = model
	copy(t.Vector[:], v)
	return t, nil
}
