package liveness

import (
	"image"
	"testing"
)

// TestBoxSensitivity: the decision on the samples holds with dlib's HOG boxes (what idgate's
// face pipeline finds on the upright frames: square, 13-20% smaller than the original's
// RetinaFace boxes for T1 and F1) and with the RetinaFace box moved by ±10% of its size. The
// scores are logged for docs/performance.md (go test -v -run BoxSensitivity ./biometric/liveness).
func TestBoxSensitivity(t *testing.T) {
	if raceEnabled {
		t.Skip("numeric only; runs without -race")
	}
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	// dlib HOG boxes (x, y, w, h) from ../shared/notes/minifasnet.md section 7.
	hog := map[string]image.Rectangle{
		"image_T1.jpg": image.Rect(134, 154, 134+180, 154+180),
		"image_F1.jpg": image.Rect(154, 154, 154+180, 154+180),
		"image_F2.jpg": image.Rect(108, 251, 108+259, 251+259),
	}
	for _, ref := range references {
		img := loadUpright(t, ref.image)
		r := ref.retina
		dx, dy := r.Dx()/10, r.Dy()/10
		boxes := []struct {
			name string
			box  image.Rectangle
		}{
			{"retina", r},
			{"dlib-hog", hog[ref.image]},
			{"retina x-10%", r.Add(image.Pt(-dx, 0))},
			{"retina x+10%", r.Add(image.Pt(dx, 0))},
			{"retina y-10%", r.Add(image.Pt(0, -dy))},
			{"retina y+10%", r.Add(image.Pt(0, dy))},
			{"retina size 0.9", image.Rect(r.Min.X+dx/2, r.Min.Y+dy/2, r.Max.X-dx/2, r.Max.Y-dy/2)},
			{"retina size 1.1", image.Rect(r.Min.X-dx/2, r.Min.Y-dy/2, r.Max.X+dx/2, r.Max.Y+dy/2)},
		}
		for _, b := range boxes {
			res, err := c.Check(img, b.box)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %-16s live=%v score=%.3f (V2 %.3f, V1SE %.3f)", ref.image, b.name, res.Live, res.Score, res.Probs[0][1], res.Probs[1][1])
			if res.Live != ref.live {
				t.Errorf("%s %s: live=%v score %.3f, want live=%v", ref.image, b.name, res.Live, res.Score, ref.live)
			}
		}
	}
}
