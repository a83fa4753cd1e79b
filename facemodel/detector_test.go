package facemodel

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestPlaceholderDetectorDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := WritePlaceholderDetector(&a); err != nil {
		t.Fatal(err)
	}
	if err := WritePlaceholderDetector(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("placeholder bytes differ between runs")
	}
	// Same layer structure as the real detector: 7 convolutions, 6 affines, 6 relus.
	for name, want := range map[string]int{"con_5": 7, "affine_2": 6, "relu_": 6, "loss_mmod_": 1, "input_rgb_image_pyramid2": 1} {
		if n := bytes.Count(a.Bytes(), []byte(name)); n != want {
			t.Errorf("%s appears %d times, want %d", name, n, want)
		}
	}
	// Starts like the real file: loss version 1, "loss_mmod_", options version 4, 1 window v2, 80x80.
	want := append(append([]byte{1, 1, 1, 10}, "loss_mmod_"...), 1, 4, 1, 1, 1, 2, 1, 80, 1, 80)
	if !bytes.HasPrefix(a.Bytes(), want) {
		t.Errorf("head % x", a.Bytes()[:len(want)])
	}
}

func TestIsPlaceholderDetector(t *testing.T) {
	var ph bytes.Buffer
	if err := WritePlaceholderDetector(&ph); err != nil {
		t.Fatal(err)
	}
	real, realErr := os.ReadFile(filepath.Join("..", "..", "shared", "models", DetectorFile))
	tests := []struct {
		name   string
		files  map[string][]byte
		want   bool
		skipIf bool
	}{
		{"missing detector", map[string][]byte{}, true, false},
		{"placeholder bytes, no marker", map[string][]byte{DetectorFile: ph.Bytes()}, true, false},
		{"marker beside any file", map[string][]byte{DetectorFile: []byte("x"), PlaceholderMarker: nil}, true, false},
		{"other bytes", map[string][]byte{DetectorFile: []byte("not the placeholder")}, false, false},
		{"real dlib detector", map[string][]byte{DetectorFile: real}, false, realErr != nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skipIf {
				t.Skip("../shared/models/mmod_human_face_detector.dat not available")
			}
			dir := t.TempDir()
			for n, b := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := IsPlaceholderDetector(dir)
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "models")
	manifest, weights := syntheticTFJS(faceAPISpecs())
	if err := os.WriteFile(filepath.Join(in, TFJSManifestFile), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, TFJSWeightsFile), weights, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Build(BuildOptions{OutDir: out, TFJSDir: in, PlaceholderDetector: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.ResNetBytes != 22466154 || r.Params != 5614592 {
		t.Errorf("report %+v", r)
	}
	st, err := os.Stat(filepath.Join(out, ResNetFile))
	if err != nil || st.Size() != 22466154 {
		t.Fatalf("resnet file: %v %v", st, err)
	}
	if ok, err := IsPlaceholderDetector(out); !ok || err != nil {
		t.Errorf("placeholder not recognised: %v %v", ok, err)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 3 {
		t.Errorf("out dir has %d entries (temp files left?)", len(entries))
	}

	// Corrupt weights: typed error, and the existing model is left untouched.
	if err := os.WriteFile(filepath.Join(in, TFJSWeightsFile), weights[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(BuildOptions{OutDir: out, TFJSDir: in}); err == nil {
		t.Fatal("truncated weights accepted")
	}
	if st, _ := os.Stat(filepath.Join(out, ResNetFile)); st.Size() != 22466154 {
		t.Error("failed build touched the existing model")
	}
}

func TestRunBuildCLIUsage(t *testing.T) {
	var out, errb bytes.Buffer
	for _, args := range [][]string{nil, {"frob"}, {"build"}, {"build", "--out", "x"}, {"build", "--bogus"}} {
		if code := RunBuildCLI(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code := RunBuildCLI([]string{"build", "--out", t.TempDir(), "--tfjs", t.TempDir()}, &out, &errb); code != 2 {
		t.Errorf("missing inputs: exit %d, want 2", code)
	}
}
