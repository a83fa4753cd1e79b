package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/idgate/idgate/biometric/face"
	"github.com/idgate/idgate/gate"
)

// TestLiveFacesAdapter: the gate's view of a live JPEG through dlib and the liveness networks:
// the live sample passes, the two spoof samples carry Live=false (the gate denies them
// presentation_attack), all with the model id and threshold.
func TestLiveFacesAdapter(t *testing.T) {
	models := os.Getenv("IDGATE_MODELS")
	if models == "" {
		t.Skip("IDGATE_MODELS not set (make test sets it)")
	}
	ex, err := face.New(face.Config{ModelsDir: models, Workers: 1, MaxPixels: face.GateMaxPixels, MaxBytes: gate.MaxJPEGBytes})
	if err != nil {
		t.Skipf("face models unavailable: %v", err)
	}
	defer ex.Close()
	lf, err := newLiveFaces(ex, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, live := range map[string]bool{"image_T1.jpg": true, "image_F1.jpg": false, "image_F2.jpg": false} {
		b, err := os.ReadFile(filepath.Join("..", "..", "biometric", "liveness", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		c, err := lf.LiveCapture(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		l := c.Liveness
		if l == nil || l.Live != live || l.Threshold != 0.915 || l.Model != string(lf.live.ModelID()) || c.Template.Model != ex.ModelID() {
			t.Errorf("%s: %+v %+v", name, c.Template.Model, l)
		}
	}
	if _, err := lf.LiveCapture([]byte{0xFF, 0xD8, 0xFF, 0}); err == nil {
		t.Error("a broken JPEG gave a capture")
	}
}

func TestLivenessEnv(t *testing.T) {
	for _, c := range []struct {
		env map[string]string
		ok  bool
	}{
		{map[string]string{}, true},
		{map[string]string{"IDGATE_GATE_LIVENESS_THRESHOLD": "0.8", "IDGATE_GATE_REQUIRE_LIVENESS": "true", "IDGATE_GATE_LIVENESS_TRUSTED": "A1,B7"}, true},
		{map[string]string{"IDGATE_GATE_LIVENESS_THRESHOLD": "1.2"}, false},
		{map[string]string{"IDGATE_GATE_LIVENESS_THRESHOLD": "NaN"}, false},
		{map[string]string{"IDGATE_GATE_REQUIRE_LIVENESS": "maybe"}, false},
		{map[string]string{"IDGATE_GATE_LIVENESS_TRUSTED": "A1,not a gate"}, false},
	} {
		for _, k := range []string{"IDGATE_GATE_LIVENESS_THRESHOLD", "IDGATE_GATE_REQUIRE_LIVENESS", "IDGATE_GATE_LIVENESS_TRUSTED"} {
			t.Setenv(k, c.env[k])
		}
		var g gateOptions
		err := g.livenessFromEnv()
		if (err == nil) != c.ok {
			t.Errorf("%v: err %v", c.env, err)
		}
		if c.ok && c.env["IDGATE_GATE_REQUIRE_LIVENESS"] == "true" &&
			(!g.liveness.RequireForTemplates || len(g.liveness.TrustedGates) != 2 || g.livenessThr != 0.8) {
			t.Errorf("%v: %+v", c.env, g)
		}
	}
}

func TestFaceCaptureFromEnv(t *testing.T) {
	for _, c := range []struct {
		quality, size string
		ok, check     bool
		detect        int
	}{
		{"", "", true, true, 0},
		{"off", "640", true, false, 640},
		{"min_eye_distance=45,max_yaw=0.3", "0", true, true, 0},
		{"min_eye_distance=-1", "", false, true, 0},
		{"bogus=1", "", false, true, 0},
		{"", "100", false, true, 0},
		{"", "big", false, true, 0},
	} {
		t.Setenv("IDGATE_GATE_CAPTURE_QUALITY", c.quality)
		t.Setenv("IDGATE_GATE_FACE_DETECT_SIZE", c.size)
		cfg, err := faceCaptureFromEnv("m")
		if (err == nil) != c.ok {
			t.Errorf("%q %q: err %v", c.quality, c.size, err)
			continue
		}
		if c.ok && (cfg.CheckQuality != c.check || cfg.DetectSize != c.detect || cfg.ModelsDir != "m") {
			t.Errorf("%q %q: %+v", c.quality, c.size, cfg)
		}
	}
	t.Setenv("IDGATE_GATE_CAPTURE_QUALITY", "min_eye_distance=45")
	if cfg, _ := faceCaptureFromEnv("m"); cfg.QualityThresholds.MinEyeDistance != 45 || cfg.QualityThresholds.MaxRoll != face.DefaultQualityThresholds().MaxRoll {
		t.Errorf("thresholds %+v", cfg.QualityThresholds)
	}
	t.Setenv("IDGATE_GATE_FACE_DETECT_SIZE", "")
	for v, want := range map[string]bool{"": false, "true": true, "0": false, "1": true} {
		t.Setenv("IDGATE_GATE_FACE_FAST_DECODE", v)
		if cfg, err := faceCaptureFromEnv("m"); err != nil || cfg.FastDecode != want {
			t.Errorf("IDGATE_GATE_FACE_FAST_DECODE=%q: %v %+v", v, err, cfg)
		}
	}
	t.Setenv("IDGATE_GATE_FACE_FAST_DECODE", "fast")
	if _, err := faceCaptureFromEnv("m"); err == nil {
		t.Error(`IDGATE_GATE_FACE_FAST_DECODE="fast" accepted`)
	}
	t.Setenv("IDGATE_GATE_FACE_FAST_DECODE", "")
	for v, want := range map[string]int{"": 0, "0": 0, "1": 1, "2": 2, "3": -1, "-1": -1, "two": -1} {
		t.Setenv("IDGATE_GATE_FACE_THREADS", v)
		cfg, err := faceCaptureFromEnv("m")
		if (err == nil) != (want >= 0) || (err == nil && cfg.Threads != want) {
			t.Errorf("IDGATE_GATE_FACE_THREADS=%q: %v %+v", v, err, cfg)
		}
	}
}
