package facecli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idgate/idgate/biometric"
)

var imagesDir = filepath.Join("..", "..", "..", "..", "shared", "faces", "go-face-testdata", "images")

func modelsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("IDGATE_MODELS")
	if dir == "" {
		t.Skip("IDGATE_MODELS unset: run `make models` and set IDGATE_MODELS (make test does)")
	}
	if _, err := os.Stat(filepath.Join(dir, "dlib_face_recognition_resnet_model_v1.dat")); err != nil {
		t.Skipf("IDGATE_MODELS=%s has no models: %v", dir, err)
	}
	if _, err := os.Stat(imagesDir); err != nil {
		t.Skipf("shared photos unavailable: %v", err)
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
		{"compare junk", []string{"compare", "not-a-template", "also-not"}, 1, "neither a readable image"},
		{"calibrate no dir", []string{"calibrate"}, 2, "exactly one DIR"},
		{"calibrate missing dir", []string{"calibrate", filepath.Join(empty, "nope")}, 1, "no such file"},
		{"calibrate empty dir", []string{"calibrate", empty}, 1, "need at least 2"},
		{"template no models", []string{"template", "--models", empty, "x.jpg"}, 1, "models"},
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
	a, b, other := filepath.Join(imagesDir, "tzuyu.jpg"), filepath.Join(imagesDir, "tzuyu2.jpg"), filepath.Join(imagesDir, "joy.jpg")
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
	t.Logf("tzuyu vs tzuyu2 %v (%v); tzuyu vs joy %v (%v)", same["distance"], same["decision"], diff["distance"], diff["decision"])
	if same["distance"].(float64) >= diff["distance"].(float64) {
		t.Errorf("same-person distance %v not below different-person %v", same["distance"], diff["distance"])
	}

	// calibrate on a small labelled folder made of links to the shared photos.
	dir := t.TempDir()
	for _, n := range []string{"tzuyu.jpg", "tzuyu2.jpg", "joy.jpg", "luda.jpg", "luda2.jpg"} {
		abs, _ := filepath.Abs(filepath.Join(imagesDir, n))
		if err := os.Symlink(abs, filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := run("calibrate", "--models", models, dir)
	if code != 0 {
		t.Fatalf("calibrate exit %d: %s", code, errOut)
	}
	for _, want := range []string{"5 templates of 3 people", "genuine  pairs     2", "impostor pairs     8", "0.50", "threshold for FMR"} {
		if !strings.Contains(out, want) {
			t.Errorf("calibrate output lacks %q:\n%s", want, out)
		}
	}
}
