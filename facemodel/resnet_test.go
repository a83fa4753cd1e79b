package facemodel

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// The notes (shared/notes/dlib-model-format.md) state what dlib itself serializes for these
// weights: 22,466,154 bytes and 5,614,592 parameters. Weight values are raw float32 in the
// file, so any weights of the right shapes give exactly that size.
func TestWriteResNetSizeAndParams(t *testing.T) {
	manifest, weights := syntheticTFJS(faceAPISpecs())
	ws, err := ReadTFJS(manifest, weights)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	params, err := WriteResNet(&b, ws)
	if err != nil {
		t.Fatal(err)
	}
	if params != 5614592 {
		t.Errorf("params = %d, want 5614592", params)
	}
	if b.Len() != 22466154 {
		t.Errorf("size = %d, want 22466154", b.Len())
	}
	// Head: loss_metric version 1, "loss_metric_2", margin 0.04f, threshold 0.6f, then add_layer v2.
	head := hex.EncodeToString(b.Bytes()[:40])
	want := "0101" + "010d" + hex.EncodeToString([]byte("loss_metric_2"))
	if head[:len(want)] != want {
		t.Errorf("head %s, want prefix %s", head, want)
	}
	// The input layer appears once, in the version-3 add_layer at the bottom.
	if n := bytes.Count(b.Bytes(), []byte("input_rgb_image_sized")); n != 1 {
		t.Errorf("input layer appears %d times", n)
	}
	for name, want := range map[string]int{"con_5": 29, "affine_2": 29, "relu_": 29, "add_prev_": 14, "avg_pool_2": 5, "max_pool_2": 1, "fc_3": 1} {
		if n := bytes.Count(b.Bytes(), []byte(name)); n != want {
			t.Errorf("%s appears %d times, want %d", name, n, want)
		}
	}
}

// TestWriteResNetFirstConvTransposed checks the first conv's filters land OIHW in the file.
func TestWriteResNetFirstConvTransposed(t *testing.T) {
	manifest, weights := syntheticTFJS(faceAPISpecs())
	ws, err := ReadTFJS(manifest, weights)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := WriteResNet(&b, ws); err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b.Bytes(), []byte("con_5"))
	// After "con_5": tensor version 2, n=4736 (7*7*3*32+32), k=nr=nc=1, then the data.
	hdr := []byte{1, 2, 2, 0x80, 0x12, 1, 1, 1, 1, 1, 1}
	if !bytes.Equal(b.Bytes()[i+5:i+5+len(hdr)], hdr) {
		t.Fatalf("params header % x", b.Bytes()[i+5:i+5+len(hdr)])
	}
	data := b.Bytes()[i+5+len(hdr):]
	src, _ := ws.Get("conv32_down/conv/filters")
	want := hwioToOIHW(src.Data, 7, 7, 3, 32)
	var e bytes.Buffer
	c := newEncoder(&e)
	c.tensor(len(want), 1, 1, 1, want)
	_ = c.flush()
	got := data[:4*len(want)]
	if !bytes.Equal(got, e.Bytes()[len(e.Bytes())-4*len(want):]) {
		t.Error("first conv filters are not the OIHW transposition of the TF.js HWIO tensor")
	}
}

func TestWriteResNetRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func([]WeightSpec) []WeightSpec
		code   string
	}{
		{"missing fc", func(s []WeightSpec) []WeightSpec { return s[:len(s)-1] }, CodeMissing},
		{"fc transposed", func(s []WeightSpec) []WeightSpec { s[len(s)-1].Shape = []int{128, 256}; return s }, CodeShapeMismatch},
		{"first conv wrong kernel", func(s []WeightSpec) []WeightSpec { s[0].Shape = []int{5, 5, 3, 32}; return s }, CodeShapeMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			manifest, weights := syntheticTFJS(tt.mutate(faceAPISpecs()))
			ws, err := ReadTFJS(manifest, weights)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			_, err = WriteResNet(&b, ws)
			var fe *Error
			if !errors.As(err, &fe) || fe.Code != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", b.Len())
			}
		})
	}
}

func BenchmarkWriteResNet(b *testing.B) {
	manifest, weights := syntheticTFJS(faceAPISpecs())
	ws, err := ReadTFJS(manifest, weights)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if _, err := WriteResNet(&buf, ws); err != nil {
			b.Fatal(err)
		}
	}
}
