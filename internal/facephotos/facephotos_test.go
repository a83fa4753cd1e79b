package facephotos

import (
	"bytes"
	"image/jpeg"
	"testing"
)

func TestPhotosDecode(t *testing.T) {
	names := Names()
	if len(names) != 4 {
		t.Fatalf("%d photos %v, want 4", len(names), names)
	}
	people := map[string]int{}
	for _, n := range names {
		b, err := Read(n)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if long := max(cfg.Width, cfg.Height); long < 600 || long > 800 {
			t.Errorf("%s: %dx%d, want about 640 px on the long side", n, cfg.Width, cfg.Height)
		}
		people[Person(n)]++
	}
	if people["obama"] != 3 || people["biden"] != 1 {
		t.Errorf("people %v, want obama 3 and biden 1", people)
	}
	for _, n := range []string{Portrait, Live, Impostor} {
		if _, err := Read(n); err != nil {
			t.Errorf("demo photo %s: %v", n, err)
		}
	}
}
