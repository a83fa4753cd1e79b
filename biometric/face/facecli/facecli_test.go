package facecli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/internal/facephotos"
	"github.com/idgate/idgate/internal/facetest"
)

func modelsDir(t *testing.T) string {
	return facetest.ModelsDir(t)
}

// photosDir writes the repository's face photos into a temporary folder.
func photosDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range facephotos.Names() {
		b, err := facephotos.Read(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func run(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestUsageErrors(t *testing.T) {
	empty := t.TempDir()
	textFile := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(textFile, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no args", nil, 2, "usage"},
		{"help", []string{"--help"}, 0, "usage"},
		{"unknown", []string{"frob"}, 2, "unknown subcommand"},
		{"template no image", []string{"template"}, 2, "at least one IMAGE"},
		{"template bad flag", []string{"template", "--nope", "x"}, 2, ""},
		{"compare one arg", []string{"compare", "a"}, 2, "exactly two"},
		{"compare junk", []string{"compare", "not-a-template", "also-not"}, 2, "neither a readable image"},
		{"calibrate no dir", []string{"calibrate"}, 2, "exactly one DIR"},
		{"calibrate missing dir", []string{"calibrate", filepath.Join(empty, "nope")}, 2, "no such file"},
		{"calibrate empty dir", []string{"calibrate", empty}, 2, "need at least 2"},
		{"template no models", []string{"template", "--models", empty, "x.jpg"}, 2, "models"},
		{"compare no models", []string{"compare", "--models", empty, textFile, textFile}, 2, "models"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Fatalf("exit %d stderr %q; want %d containing %q", code, stderr, tt.code, tt.msg)
			}
		})
	}
}

func TestScanLabelled(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"alice1.jpg", "alice2.JPG", "bob.png", "notes.txt", "carol/x.jpg", "carol/y2.jpeg"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := scanLabelled(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"alice1.jpg": "alice", "alice2.JPG": "alice", "bob.png": "bob", "x.jpg": "carol", "y2.jpeg": "carol"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for _, g := range got {
		if want[filepath.Base(g.path)] != g.label {
			t.Errorf("%s labelled %q", g.path, g.label)
		}
	}
}

func TestHistogram(t *testing.T) {
	h := histogram([]float32{0, 0.049, 0.05, 0.51, 5})
	if h[0] != 2 || h[1] != 1 || h[10] != 1 || h[len(h)-1] != 1 {
		t.Errorf("histogram %v", h)
	}
}

func TestTemplateCompareCalibrate(t *testing.T) {
	models := modelsDir(t)
	photos := photosDir(t)
	a, b, other := filepath.Join(photos, facephotos.Portrait), filepath.Join(photos, facephotos.Live), filepath.Join(photos, facephotos.Impostor)
	bad := filepath.Join(t.TempDir(), "bad.jpg")
	if err := os.WriteFile(bad, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, _ := run("template", "--json", "--models", models, a, bad)
	if code != 1 {
		t.Errorf("exit %d with one bad image, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("output %q", out)
	}
	var ok struct {
		Image, Template string
		Box             [4]int
	}
	if err := json.Unmarshal([]byte(lines[0]), &ok); err != nil || ok.Image != a || ok.Box[2] <= ok.Box[0] {
		t.Fatalf("line 1 %q: %v", lines[0], err)
	}
	if _, err := biometric.ParseTemplateString(ok.Template); err != nil {
		t.Fatalf("template does not parse: %v", err)
	}
	var fail map[string]string
	if err := json.Unmarshal([]byte(lines[1]), &fail); err != nil || fail["code"] != "undecodable" {
		t.Fatalf("line 2 %q", lines[1])
	}

	// A file that is not an image is bad input (2), unlike a failure on a valid image.
	if code, _, errOut := run("compare", "--models", models, bad, a); code != 2 || !strings.Contains(errOut, "undecodable") {
		t.Errorf("compare with a non-image: exit %d, stderr %q; want 2 and undecodable", code, errOut)
	}

	// compare: encoded template vs image, and same vs different person.
	code, out, _ = run("compare", "--json", "--models", models, ok.Template, b)
	var same map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &same) != nil {
		t.Fatalf("compare same: %d %q", code, out)
	}
	code, out, _ = run("compare", "--json", "--models", models, a, other)
	var diff map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &diff) != nil {
		t.Fatalf("compare diff: %d %q", code, out)
	}
	t.Logf("same person %v (%v); different people %v (%v)", same["distance"], same["decision"], diff["distance"], diff["decision"])
	if same["decision"] != "match" || same["match"] != true || diff["decision"] != "no-match" || diff["match"] != false {
		t.Errorf("same person %v, different people %v: want match true, then false", same, diff)
	}

	// calibrate on the labelled photos (person = file name without digits).
	code, out, errOut := run("calibrate", "--models", models, photos)
	if code != 0 {
		t.Fatalf("calibrate exit %d: %s", code, errOut)
	}
	for _, want := range []string{"4 templates of 2 people", "genuine  pairs     3", "impostor pairs     3", "0.50", "threshold for FMR"} {
		if !strings.Contains(out, want) {
			t.Errorf("calibrate output lacks %q:\n%s", want, out)
		}
	}
}

// TestTemplateSidewaysPhonePhotos: Silent-Face-Anti-Spoofing's sample photos are stored
// sideways with EXIF orientation 6; the face is found in the upright picture (480x640).
func TestTemplateSidewaysPhonePhotos(t *testing.T) {
	models := modelsDir(t)
	dir := filepath.Join("..", "..", "..", "..", "shared", "models", "silent-face-anti-spoofing", "sample")
	names := []string{"image_T1.jpg", "image_F1.jpg", "image_F2.jpg"}
	var paths []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("shared sample photos unavailable: %v", err)
		}
		paths = append(paths, p)
	}
	code, out, errOut := run(append([]string{"template", "--json", "--models", models}, paths...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Image string
			Box   [4]int
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Box[0] < 0 || r.Box[2] > 480 || r.Box[3] > 640 || r.Box[2]-r.Box[0] < 80 {
			t.Errorf("%s: box %v outside the upright 480x640 picture", r.Image, r.Box)
		}
		t.Logf("%s: box %v", filepath.Base(r.Image), r.Box)
	}
}
