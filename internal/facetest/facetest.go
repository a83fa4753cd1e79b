// Package facetest holds what the face tests of several packages share: finding the dlib
// models that `make models` installs and `make test` names in IDGATE_MODELS.
package facetest

import (
	"os"
	"path/filepath"
	"testing"
)

// ModelsDir returns $IDGATE_MODELS when it holds the dlib models, or skips tb with one line
// saying how to get them.
func ModelsDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("IDGATE_MODELS")
	if dir == "" {
		tb.Skip("IDGATE_MODELS unset: run `make models` and set IDGATE_MODELS (make test does)")
	}
	if _, err := os.Stat(filepath.Join(dir, "dlib_face_recognition_resnet_model_v1.dat")); err != nil {
		tb.Skipf("IDGATE_MODELS=%s has no models: %v", dir, err)
	}
	return dir
}
