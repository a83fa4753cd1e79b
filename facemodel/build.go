package facemodel

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Input file names inside the face-api package's model/ directory.
const (
	TFJSManifestFile = "face_recognition_model-weights_manifest.json"
	TFJSWeightsFile  = "face_recognition_model.bin"
)

// BuildOptions says where the inputs are and where the models go.
type BuildOptions struct {
	OutDir  string // receives ResNetFile (and the placeholder detector when asked)
	TFJSDir string // holds TFJSManifestFile and TFJSWeightsFile
	// PlaceholderDetector writes the all-zero DetectorFile plus PlaceholderMarker.
	PlaceholderDetector bool
}

// BuildReport says what Build wrote.
type BuildReport struct {
	ResNetPath  string
	ResNetBytes int
	Params      int
	Detector    string // path of the placeholder written, or ""
}

// Build converts the TF.js ResNet into OutDir and, if asked, writes the placeholder detector.
// Every file is written atomically; on error nothing partial is left behind.
func Build(o BuildOptions) (BuildReport, error) {
	var r BuildReport
	manifest, err := readBounded(filepath.Join(o.TFJSDir, TFJSManifestFile), MaxManifestBytes)
	if err != nil {
		return r, err
	}
	weights, err := readBounded(filepath.Join(o.TFJSDir, TFJSWeightsFile), MaxWeightsBytes)
	if err != nil {
		return r, err
	}
	ws, err := ReadTFJS(manifest, weights)
	if err != nil {
		return r, err
	}
	var buf bytes.Buffer
	r.Params, err = WriteResNet(&buf, ws)
	if err != nil {
		return r, err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return r, err
	}
	r.ResNetPath = filepath.Join(o.OutDir, ResNetFile)
	r.ResNetBytes = buf.Len()
	if err := WriteFileAtomic(r.ResNetPath, buf.Bytes()); err != nil {
		return r, err
	}
	if o.PlaceholderDetector {
		buf.Reset()
		if err := WritePlaceholderDetector(&buf); err != nil {
			return r, err
		}
		r.Detector = filepath.Join(o.OutDir, DetectorFile)
		// Marker first: a crash between the two writes must never leave a placeholder unmarked.
		if err := WriteFileAtomic(filepath.Join(o.OutDir, PlaceholderMarker), []byte("generated all-zero CNN detector; CNN detection unavailable\n")); err != nil {
			return r, err
		}
		if err := WriteFileAtomic(r.Detector, buf.Bytes()); err != nil {
			return r, err
		}
	}
	return r, nil
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errf(CodeTooLarge, fmt.Sprintf("%s exceeds %d bytes", path, limit))
	}
	return b, nil
}

// WriteFileAtomic writes data to a temp file in path's directory, syncs it and renames it
// over path, so readers see either the old file or the complete new one.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, 0o644)
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}
