package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idgate/idgate/internal/facephotos"
)

// TestLoadtestLiveJPEG is a short live JPEG run: the verifier as its own process with the face
// models, credentials carrying the portrait's template, the repository's other photo of the
// same person as every live capture, one request at a time. Every decision must be an allow
// (the face matched and passed liveness); with someone else's photo as the capture every one
// must be denied, so the run's allows are the faces' doing.
func TestLoadtestLiveJPEG(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a verifier process")
	}
	models := os.Getenv("IDGATE_MODELS")
	if models == "" {
		t.Skip("IDGATE_MODELS not set (make test sets it)")
	}
	t.Setenv(childEnv, "1")
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"loadtest", "--json", "--live-jpeg", "--models", models, "--passengers", "4"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
	}
	var rep map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	if rep["mode"] != "verify-live-jpeg" || rep["requests"] != 4.0 || rep["errors"] != 0.0 || rep["connections"] != 1.0 {
		t.Fatalf("mode %v requests %v errors %v connections %v, want verify-live-jpeg, 4, 0, 1",
			rep["mode"], rep["requests"], rep["errors"], rep["connections"])
	}
	live, err := facephotos.Read(facephotos.Live)
	if err != nil {
		t.Fatal(err)
	}
	if rep["live_jpeg_bytes"] != float64(len(live)) {
		t.Errorf("live_jpeg_bytes %v, want %d", rep["live_jpeg_bytes"], len(live))
	}
	for _, k := range []string{"p50_ms", "p90_ms", "p99_ms", "max_ms", "server_cpu_us_per_req"} {
		if v, _ := rep[k].(float64); !(v > 0) {
			t.Errorf("%s = %v, want a positive number", k, rep[k])
		}
	}
	if _, ok := rep["crypto_bound_rps"]; ok && rep["crypto_bound_rps"] != 0.0 {
		t.Errorf("crypto bound measured (%v): live JPEG mode skips it unless asked", rep["crypto_bound_rps"])
	}

	impostor, err := facephotos.Read(facephotos.Impostor)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "impostor.jpg")
	if err := os.WriteFile(other, impostor, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	code = dispatch([]string{"loadtest", "--json", "--live-jpeg", "--models", models, "--passengers", "2", "--live-photo", other}, &stdout, &stderr)
	// The warm-up's denials stop the run before the timed phase.
	if code != 1 || !strings.Contains(stderr.String(), "face_mismatch") {
		t.Fatalf("someone else's face: exit %d, want 1 with face_mismatch\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
	}
}
