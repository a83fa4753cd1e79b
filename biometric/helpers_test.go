package biometric

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

const testModel ModelID = "dlib-resnet-v1-test"

// idolsPath is the shared go-face test set, relative to this package directory.
const idolsPath = "../../shared/faces/go-face-testdata/idols.json"

// loadIdols reads the shared reference descriptors. The file is
// {"idols":[{"id","name",...}], "faces":[{"descriptor": base64(128 LE float32), "idol_id"}]}.
func loadIdols(t testing.TB) []Labeled {
	t.Helper()
	raw, err := os.ReadFile(idolsPath)
	if err != nil {
		t.Skipf("shared idols.json not available: %v", err)
	}
	var doc struct {
		Faces []struct {
			Descriptor string `json:"descriptor"`
			IdolID     string `json:"idol_id"`
		} `json:"faces"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("idols.json: %v", err)
	}
	out := make([]Labeled, 0, len(doc.Faces))
	for i, f := range doc.Faces {
		b, err := base64.StdEncoding.DecodeString(f.Descriptor)
		if err != nil || len(b) != 4*Dim {
			t.Fatalf("face %d: bad descriptor (%d bytes, %v)", i, len(b), err)
		}
		v := make([]float32, Dim)
		for j := range v {
			v[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
		}
		tpl, err := NewTemplate(testModel, v)
		if err != nil {
			t.Fatalf("face %d: %v", i, err)
		}
		out = append(out, Labeled{Label: f.IdolID, T: tpl})
	}
	if len(out) == 0 {
		t.Fatal("idols.json has no faces")
	}
	return out
}

// randomTemplate draws a descriptor shaped like dlib's: Gaussian components scaled to norm ~1.4.
func randomTemplate(r *rand.Rand) Template {
	var t Template
	t.Model = testModel
	for i := range t.Vector {
		t.Vector[i] = float32(r.NormFloat64() * 0.125)
	}
	return t
}

// nearTemplate perturbs base slightly, like a second capture of the same face.
func nearTemplate(r *rand.Rand, base Template, sigma float64) Template {
	t := base
	for i := range t.Vector {
		t.Vector[i] += float32(r.NormFloat64() * sigma)
	}
	return t
}
