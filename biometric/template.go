package biometric

import (
	"fmt"
	"math"
)

// Dim is the length of a face descriptor from dlib's ResNet model.
const Dim = 128

// MaxModelIDLen bounds the model id so encodings stay small and parsers bounded.
const MaxModelIDLen = 64

// ModelID names the descriptor model that produced a template (a short hash of the model file).
// Templates from different models live in different spaces and are never compared.
type ModelID string

// Template is one face descriptor together with the model that produced it.
type Template struct {
	Model  ModelID
	Vector [Dim]float32
}

// NewTemplate validates a descriptor and wraps it as a Template.
func NewTemplate(model ModelID, v []float32) (Template, error) {
	var t Template
	if err := validModelID(model); err != nil {
		return t, err
	}
	if len(v) != Dim {
		return t, fmt.Errorf("%w: %d values, want %d", ErrInvalidTemplate, len(v), Dim)
	}
	for i, x := range v {
		if !finite(x) {
			return t, fmt.Errorf("%w: value %d is not finite", ErrInvalidTemplate, i)
		}
	}
	t.Model = model
	copy(t.Vector[:], v)
	return t, nil
}

// validate re-checks a Template built as a struct literal rather than through NewTemplate.
func (t *Template) validate() error {
	if err := validModelID(t.Model); err != nil {
		return err
	}
	for i, x := range t.Vector {
		if !finite(x) {
			return fmt.Errorf("%w: value %d is not finite", ErrInvalidTemplate, i)
		}
	}
	return nil
}

// validModelID accepts 1..MaxModelIDLen printable ASCII bytes: ids are hashes or short names,
// and a restricted alphabet keeps them safe in logs, headers and file names.
func validModelID(m ModelID) error {
	if m == "" {
		return fmt.Errorf("%w: empty model id", ErrInvalidTemplate)
	}
	if len(m) > MaxModelIDLen {
		return fmt.Errorf("%w: model id longer than %d bytes", ErrInvalidTemplate, MaxModelIDLen)
	}
	for i := 0; i < len(m); i++ {
		if c := m[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("%w: model id byte %d is not printable ASCII", ErrInvalidTemplate, i)
		}
	}
	return nil
}

func finite(x float32) bool {
	return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0)
}
