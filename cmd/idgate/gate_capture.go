package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/idgate/idgate/biometric/face"
	"github.com/idgate/idgate/gate"
)

// faceCaptureFromEnv reads IDGATE_GATE_CAPTURE_QUALITY ("off", or name=value thresholds over
// face.DefaultQualityThresholds), IDGATE_GATE_FACE_DETECT_SIZE (px, 0 the default search),
// IDGATE_GATE_FACE_THREADS (0, 1 or 2) and IDGATE_GATE_FACE_FAST_DECODE (boolean) into the gate
// extractor's configuration; a malformed value is an error (exit 2).
func faceCaptureFromEnv(modelsDir string) (face.Config, error) {
	cfg := face.Config{ModelsDir: modelsDir, MaxPixels: face.GateMaxPixels, MaxBytes: gate.MaxJPEGBytes,
		CheckQuality: true, QualityThresholds: face.DefaultQualityThresholds()}
	q := os.Getenv("IDGATE_GATE_CAPTURE_QUALITY")
	if q == "off" {
		cfg.CheckQuality = false
	} else {
		t, err := face.ParseQualityThresholds(q)
		if err != nil {
			return cfg, fmt.Errorf("gate: IDGATE_GATE_CAPTURE_QUALITY: %w", err)
		}
		cfg.QualityThresholds = t
	}
	if v := os.Getenv("IDGATE_GATE_FACE_DETECT_SIZE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || (n > 0 && n < 160) {
			return cfg, fmt.Errorf("gate: IDGATE_GATE_FACE_DETECT_SIZE %q is not 0 or a size of at least 160 px", v)
		}
		cfg.DetectSize = n
	}
	if v := os.Getenv("IDGATE_GATE_FACE_THREADS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 2 {
			return cfg, fmt.Errorf("gate: IDGATE_GATE_FACE_THREADS %q is not 0, 1 or 2", v)
		}
		cfg.Threads = n
	}
	if v := os.Getenv("IDGATE_GATE_FACE_FAST_DECODE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return cfg, fmt.Errorf("gate: IDGATE_GATE_FACE_FAST_DECODE %q is not a boolean", v)
		}
		cfg.FastDecode = b
	}
	return cfg, nil
}

// faceConfig is the gate extractor's configuration: the environment's when read, else the
// defaults (capture checks on, full-resolution detection). The extractor only sees gate
// captures (JPEG, at most gate.MaxJPEGBytes), so pixels are capped at face.GateMaxPixels and a
// decompression bomb cannot cost more than ~32 MB per worker.
func (g *gateOptions) faceConfig() face.Config {
	if g.face != nil {
		c := *g.face
		c.ModelsDir = g.modelsDir
		return c
	}
	return face.Config{ModelsDir: g.modelsDir, MaxPixels: face.GateMaxPixels, MaxBytes: gate.MaxJPEGBytes,
		CheckQuality: true, QualityThresholds: face.DefaultQualityThresholds()}
}
