package facemodel

import (
	"errors"
	"math"
	"testing"
)

func TestReadTFJSDequantize(t *testing.T) {
	// Shapes and quantization entries as the face-api manifest writes them.
	manifest := []byte(`[{"paths":["face_recognition_model.bin"],"weights":[
	 {"name":"a","shape":[2],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}},
	 {"name":"b","shape":[1],"dtype":"float32"},
	 {"name":"c","shape":[2],"dtype":"float32","quantization":{"dtype":"uint16","scale":0.25,"min":1}}]}]`)
	weights := []byte{0, 4, 0x00, 0x00, 0xc0, 0x3f, 0x02, 0x00, 0x00, 0x01}
	ws, err := ReadTFJS(manifest, weights)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float32{"a": {-1, 1}, "b": {1.5}, "c": {1.5, 65}}
	for name, w := range want {
		got, ok := ws.Get(name)
		if !ok {
			t.Fatalf("%s missing", name)
		}
		for i := range w {
			if got.Data[i] != w[i] {
				t.Errorf("%s[%d] = %v, want %v", name, i, got.Data[i], w[i])
			}
		}
	}
	if got := ws.Names(); len(got) != 3 || got[0] != "a" || got[2] != "c" {
		t.Errorf("order %v", got)
	}
}

func TestReadTFJSErrors(t *testing.T) {
	one := func(spec string) []byte { return []byte(`[{"paths":["x"],"weights":[` + spec + `]}]`) }
	f32 := `{"name":"a","shape":[2],"dtype":"float32"}`
	nan := []byte{0, 0, 0xc0, 0x7f, 0, 0, 0, 0}
	tests := []struct {
		name     string
		manifest []byte
		weights  []byte
		code     string
	}{
		{"not json", []byte(`{`), nil, CodeManifestJSON},
		{"object not list", []byte(`{"weights":[]}`), nil, CodeManifestJSON},
		{"empty list", []byte(`[]`), nil, CodeManifestJSON},
		{"negative dim", one(`{"name":"a","shape":[-1],"dtype":"float32"}`), nil, CodeBadShape},
		{"zero dim", one(`{"name":"a","shape":[0],"dtype":"float32"}`), nil, CodeBadShape},
		{"rank 5", one(`{"name":"a","shape":[1,1,1,1,1],"dtype":"float32"}`), nil, CodeBadShape},
		{"huge", one(`{"name":"a","shape":[65536,65536],"dtype":"float32"}`), nil, CodeBadShape},
		{"int32 dtype", one(`{"name":"a","shape":[1],"dtype":"int32"}`), nil, CodeBadDType},
		{"float16 quant", one(`{"name":"a","shape":[1],"dtype":"float32","quantization":{"dtype":"float16","scale":1,"min":0}}`), nil, CodeBadDType},
		{"duplicate", one(f32 + "," + f32), nil, CodeDuplicate},
		{"truncated", one(f32), make([]byte, 7), CodeTruncated},
		{"trailing", one(f32), make([]byte, 9), CodeTrailing},
		{"nan weight", one(f32), nan, CodeNonFinite},
		{"manifest too large", make([]byte, MaxManifestBytes+1), nil, CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTFJS(tt.manifest, tt.weights)
			var fe *Error
			if !errors.As(err, &fe) || fe.Code != tt.code || !errors.Is(err, ErrInvalidModel) {
				t.Fatalf("got %v, want code %s", err, tt.code)
			}
		})
	}
}

func TestHWIOToOIHW(t *testing.T) {
	const kh, kw, in, out = 2, 3, 4, 5
	src := make([]float32, kh*kw*in*out)
	for i := range src {
		src[i] = float32(i)
	}
	dst := hwioToOIHW(src, kh, kw, in, out)
	for o := 0; o < out; o++ {
		for i := 0; i < in; i++ {
			for y := 0; y < kh; y++ {
				for x := 0; x < kw; x++ {
					if got, want := dst[((o*in+i)*kh+y)*kw+x], src[((y*kw+x)*in+i)*out+o]; got != want {
						t.Fatalf("dlib[%d][%d][%d][%d] = %v, want tf[%d][%d][%d][%d] = %v", o, i, y, x, got, y, x, i, o, want)
					}
				}
			}
		}
	}
	// One element by hand: tf[1][2][3][4] is at ((1*3+2)*4+3)*5+4 = 119; dlib index is last.
	if dst[len(dst)-1] != 119 {
		t.Errorf("last element %v, want 119", dst[len(dst)-1])
	}
	if math.IsNaN(float64(dst[0])) || dst[0] != 0 {
		t.Errorf("first element %v", dst[0])
	}
}

// FuzzReadTFJS: untrusted manifest + weights must give a tensor set or a typed error, never a
// panic; seeds are the face-api manifest form and its quantised/float cases.
func FuzzReadTFJS(f *testing.F) {
	f.Add([]byte(`[{"paths":["face_recognition_model.bin"],"weights":[{"name":"conv32_down/conv/bias","shape":[32],"dtype":"float32","quantization":{"dtype":"uint8","scale":8.471445956577858e-7,"min":-0.00014740315964445472}}]}]`), make([]byte, 32))
	f.Add([]byte(`[{"paths":["x"],"weights":[{"name":"fc","shape":[2,2],"dtype":"float32"}]}]`), make([]byte, 16))
	f.Add([]byte(`[{"paths":["x"],"weights":[{"name":"a","shape":[3],"dtype":"float32","quantization":{"dtype":"uint16","scale":1,"min":0}}]}]`), make([]byte, 6))
	f.Add([]byte(`[`), []byte{})
	f.Fuzz(func(t *testing.T, manifest, weights []byte) {
		ws, err := ReadTFJS(manifest, weights)
		if err != nil {
			if !errors.Is(err, ErrInvalidModel) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, n := range ws.Names() {
			tt, _ := ws.Get(n)
			for _, v := range tt.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("non-finite weight accepted in %s", n)
				}
			}
		}
		// The converter must also fail closed on arbitrary (valid-looking) tensor sets.
		_, _, _ = buildResNet(ws)
	})
}
