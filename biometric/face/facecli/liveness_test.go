package facecli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// livenessSamples are Silent-Face-Anti-Spoofing's sample photos (biometric/liveness/testdata):
// phone photos stored sideways with an EXIF orientation tag.
var livenessSamples = filepath.Join("..", "..", "liveness", "testdata")

// TestLivenessCLI: the whole path (decode, EXIF orientation, dlib detection, liveness on the
// dlib box) on the three samples: T1 live, F1 and F2 spoofs, one JSON object per line.
func TestLivenessCLI(t *testing.T) {
	models := modelsDir(t)
	want := map[string]bool{"image_T1.jpg": true, "image_F1.jpg": false, "image_F2.jpg": false}
	args := []string{"liveness", "--json", "--models", models}
	for _, n := range []string{"image_T1.jpg", "image_F1.jpg", "image_F2.jpg", "missing.jpg"} {
		args = append(args, filepath.Join(livenessSamples, n))
	}
	// One run (each loads the dlib models): three answers and one error, exit 1.
	code, stdout, stderr := run(args...)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 1 || len(lines) != 4 {
		t.Fatalf("exit %d, %d lines: %s%s", code, len(lines), stdout, stderr)
	}
	if !strings.Contains(lines[3], `"code":"io"`) {
		t.Errorf("missing file: %s", lines[3])
	}
	for _, l := range lines[:3] {
		var r struct {
			Image     string  `json:"image"`
			Live      *bool   `json:"live"`
			Score     float64 `json:"score"`
			Box       [4]int  `json:"box"`
			Threshold float64 `json:"threshold"`
			Model     string  `json:"model"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.Live == nil {
			t.Fatalf("line %q: %v", l, err)
		}
		name := filepath.Base(r.Image)
		if *r.Live != want[name] || r.Threshold != 0.915 || !strings.HasPrefix(r.Model, "mfas1-") {
			t.Errorf("%s: %s", name, l)
		}
		// The box is in the upright (480x640) frame.
		if r.Box[2] <= r.Box[0] || r.Box[3] <= r.Box[1] || r.Box[2] > 480 || r.Box[3] > 640 {
			t.Errorf("%s: box %v outside the upright frame", name, r.Box)
		}
		t.Logf("%s", l)
	}
	// Plain output, a stricter threshold, and the usage errors.
	code, stdout, _ = run("liveness", "--models", models, "--threshold", "0.999", filepath.Join(livenessSamples, "image_T1.jpg"))
	if code != 0 || !strings.Contains(stdout, "\tspoof\tscore=0.99") {
		t.Errorf("threshold 0.999: exit %d %q", code, stdout)
	}
	for _, bad := range [][]string{{"liveness"}, {"liveness", "--threshold", "0", "x.jpg"}, {"liveness", "--threshold", "1.5", "x.jpg"}} {
		if code, _, _ := run(bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
