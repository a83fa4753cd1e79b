package face

import (
	"errors"
	"image"
	"image/draw"
	"sync"
	"testing"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/internal/facephotos"
)

// TestRepoPhotosSeparate extracts the repository's photos (Gate policy): every same-person
// pair must match at the default operating point and every cross pair must not.
func TestRepoPhotosSeparate(t *testing.T) {
	e := extractor(t)
	names := facephotos.Names()
	tpl := make([]biometric.Template, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Go(func() {
			b, err := facephotos.Read(n)
			if err != nil {
				errs[i] = err
				return
			}
			r, err := e.Template(b, Gate)
			tpl[i], errs[i] = r.Template, err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
	}
	op := biometric.DefaultOperatingPoint()
	genuine, impostor := 0, 0
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			d, err := biometric.Distance(tpl[i], tpl[j])
			if err != nil {
				t.Fatal(err)
			}
			same := facephotos.Person(names[i]) == facephotos.Person(names[j])
			t.Logf("%s – %s: %.3f", names[i], names[j], d)
			switch {
			case same && d >= op.Threshold:
				t.Errorf("%s and %s are the same person at distance %.3f, not below %.2f", names[i], names[j], d, op.Threshold)
			case !same && d < op.Threshold:
				t.Errorf("%s and %s are different people at distance %.3f, below %.2f", names[i], names[j], d, op.Threshold)
			}
			if same {
				genuine++
			} else {
				impostor++
			}
		}
	}
	if genuine == 0 || impostor == 0 {
		t.Fatalf("%d genuine and %d impostor pairs: need both", genuine, impostor)
	}
}

// TestRepoPhotosPolicies: a portrait enrols; two portraits side by side (built here) are
// refused for enrolment and, at the gate, give the larger face.
func TestRepoPhotosPolicies(t *testing.T) {
	e := extractor(t)
	portrait, err := facephotos.Read(facephotos.Portrait)
	if err != nil {
		t.Fatal(err)
	}
	impostor, err := facephotos.Read(facephotos.Impostor)
	if err != nil {
		t.Fatal(err)
	}
	one, err := e.Template(portrait, Enrol)
	if err != nil {
		t.Fatalf("enrol portrait: %v", err)
	}
	a, _, err := image.Decode(bytesReader(portrait))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := image.Decode(bytesReader(impostor))
	if err != nil {
		t.Fatal(err)
	}
	pair := image.NewRGBA(image.Rect(0, 0, a.Bounds().Dx()+b.Bounds().Dx(), max(a.Bounds().Dy(), b.Bounds().Dy())))
	draw.Draw(pair, a.Bounds(), a, a.Bounds().Min, draw.Src)
	draw.Draw(pair, b.Bounds().Add(image.Pt(a.Bounds().Dx(), 0)), b, b.Bounds().Min, draw.Src)
	both := encodeJPEG(pair)
	if _, err := e.Template(both, Enrol); !errors.Is(err, ErrMultipleFaces) {
		t.Fatalf("enrol two faces: %v, want ErrMultipleFaces", err)
	}
	g, err := e.Template(both, Gate)
	if err != nil {
		t.Fatalf("gate two faces: %v", err)
	}
	if g.Box.Max.X > a.Bounds().Dx() {
		t.Errorf("gate chose box %v, want the portrait's larger face (left of x=%d)", g.Box, a.Bounds().Dx())
	}
	d, err := biometric.Distance(one.Template, g.Template)
	if err != nil || d > 0.1 {
		t.Errorf("gate face vs enrolled portrait distance %.3f (%v), want the same face", d, err)
	}
}
