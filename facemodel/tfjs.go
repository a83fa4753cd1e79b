package facemodel

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
)

// Bounds on untrusted TF.js inputs. The face-api ResNet is ~20 KB of manifest and 6.4 MB of
// quantised weights (22.5 MB as float32); these leave room without allowing abuse.
const (
	MaxManifestBytes = 1 << 20
	MaxWeightsBytes  = 64 << 20
	maxEntries       = 4096
	maxRank          = 4
	maxElements      = 16 << 20 // per tensor and in total
)

// Manifest is the TF.js weights manifest: groups of weight specs stored in shard files.
type Manifest []ManifestGroup

// ManifestGroup lists the shard paths and the weights they hold, in storage order.
type ManifestGroup struct {
	Paths   []string     `json:"paths"`
	Weights []WeightSpec `json:"weights"`
}

// WeightSpec describes one tensor in the weights file.
type WeightSpec struct {
	Name         string        `json:"name"`
	Shape        []int         `json:"shape"`
	DType        string        `json:"dtype"`
	Quantization *Quantization `json:"quantization,omitempty"`
}

// Quantization is TF.js affine quantisation: value = q*Scale + Min.
type Quantization struct {
	DType string  `json:"dtype"`
	Scale float64 `json:"scale"`
	Min   float64 `json:"min"`
}

// Tensor is one dequantised weight tensor in TF.js layout (row-major over Shape).
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// Weights holds the tensors of a TF.js model by name.
type Weights struct {
	byName map[string]*Tensor
	order  []string
}

// Get returns the named tensor.
func (w *Weights) Get(name string) (*Tensor, bool) {
	t, ok := w.byName[name]
	return t, ok
}

// Names returns tensor names in storage order.
func (w *Weights) Names() []string { return append([]string(nil), w.order...) }

// ParseManifest parses and validates a TF.js weights manifest.
func ParseManifest(data []byte) (Manifest, error) {
	if len(data) > MaxManifestBytes {
		return nil, errf(CodeTooLarge, fmt.Sprintf("manifest is %d bytes, limit %d", len(data), MaxManifestBytes))
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, errf(CodeManifestJSON, err.Error())
	}
	if len(m) == 0 {
		return nil, errf(CodeManifestJSON, "no weight groups")
	}
	seen := map[string]bool{}
	entries, total := 0, 0
	for _, g := range m {
		for _, s := range g.Weights {
			entries++
			if entries > maxEntries {
				return nil, errf(CodeTooLarge, "too many weight entries")
			}
			if seen[s.Name] {
				return nil, errf(CodeDuplicate, fmt.Sprintf("%q", s.Name))
			}
			seen[s.Name] = true
			n, err := elements(s.Shape)
			if err != nil {
				return nil, errf(CodeBadShape, fmt.Sprintf("%q: %v", s.Name, err))
			}
			total += n
			if total > maxElements*4 {
				return nil, errf(CodeTooLarge, "too many weights in total")
			}
			if _, err := s.byteWidth(); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func elements(shape []int) (int, error) {
	if len(shape) > maxRank {
		return 0, fmt.Errorf("rank %d > %d", len(shape), maxRank)
	}
	n := 1
	for _, d := range shape {
		if d <= 0 || d > maxElements {
			return 0, fmt.Errorf("dimension %d", d)
		}
		n *= d
		if n > maxElements {
			return 0, fmt.Errorf("more than %d elements", maxElements)
		}
	}
	return n, nil
}

// byteWidth is the stored size of one element.
func (s WeightSpec) byteWidth() (int, error) {
	if s.DType != "float32" {
		return 0, errf(CodeBadDType, fmt.Sprintf("%q: dtype %q", s.Name, s.DType))
	}
	if s.Quantization == nil {
		return 4, nil
	}
	q := s.Quantization
	if math.IsNaN(q.Scale) || math.IsInf(q.Scale, 0) || math.IsNaN(q.Min) || math.IsInf(q.Min, 0) {
		return 0, errf(CodeBadQuant, fmt.Sprintf("%q", s.Name))
	}
	switch q.DType {
	case "uint8":
		return 1, nil
	case "uint16":
		return 2, nil
	}
	return 0, errf(CodeBadDType, fmt.Sprintf("%q: quantization dtype %q", s.Name, q.DType))
}

// ReadTFJS parses the manifest and dequantises the concatenated shard bytes (for face-api, the
// single face_recognition_model.bin). The weights must be exactly as long as the manifest says.
func ReadTFJS(manifestJSON, weights []byte) (*Weights, error) {
	m, err := ParseManifest(manifestJSON)
	if err != nil {
		return nil, err
	}
	if len(weights) > MaxWeightsBytes {
		return nil, errf(CodeTooLarge, fmt.Sprintf("weights are %d bytes, limit %d", len(weights), MaxWeightsBytes))
	}
	ws := &Weights{byName: map[string]*Tensor{}}
	off := 0
	for _, g := range m {
		for _, s := range g.Weights {
			n, _ := elements(s.Shape)
			width, _ := s.byteWidth()
			need := n * width
			if len(weights)-off < need {
				return nil, errf(CodeTruncated, fmt.Sprintf("%q needs %d bytes at offset %d, %d left", s.Name, need, off, len(weights)-off))
			}
			t, err := dequantize(s, n, weights[off:off+need])
			if err != nil {
				return nil, err
			}
			off += need
			ws.byName[s.Name] = t
			ws.order = append(ws.order, s.Name)
		}
	}
	if off != len(weights) {
		return nil, errf(CodeTrailing, fmt.Sprintf("%d bytes after the last tensor", len(weights)-off))
	}
	return ws, nil
}

func dequantize(s WeightSpec, n int, b []byte) (*Tensor, error) {
	t := &Tensor{Name: s.Name, Shape: append([]int(nil), s.Shape...), Data: make([]float32, n)}
	q := s.Quantization
	for i := range t.Data {
		var v float32
		switch {
		case q == nil:
			v = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		case q.DType == "uint8":
			v = float32(float64(b[i])*q.Scale + q.Min)
		default: // uint16
			v = float32(float64(binary.LittleEndian.Uint16(b[2*i:]))*q.Scale + q.Min)
		}
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, errf(CodeNonFinite, fmt.Sprintf("%q element %d", s.Name, i))
		}
		t.Data[i] = v
	}
	return t, nil
}
