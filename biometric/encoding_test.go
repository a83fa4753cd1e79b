package biometric

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func validEncoding(t testing.TB) []byte {
	tpl := randomTemplate(rand.New(rand.NewPCG(1, 2)))
	b, err := tpl.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEncodingRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	edge := randomTemplate(r)
	edge.Vector[0] = math.MaxFloat32
	edge.Vector[1] = -math.SmallestNonzeroFloat32
	edge.Vector[2] = float32(math.Copysign(0, -1))
	for _, tpl := range []Template{randomTemplate(r), edge, {Model: "m"}} {
		b, err := tpl.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != 3+len(tpl.Model)+512 || b[0] != 0xF7 || b[1] != 1 {
			t.Fatalf("unexpected layout: len %d header % x", len(b), b[:3])
		}
		got, err := ParseTemplate(b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got.Vector { // bitwise, so -0 stays -0
			if math.Float32bits(got.Vector[i]) != math.Float32bits(tpl.Vector[i]) {
				t.Fatalf("value %d changed", i)
			}
		}
		s, err := tpl.EncodeString()
		if err != nil {
			t.Fatal(err)
		}
		if len(s) > MaxEncodedStringLen || strings.ContainsAny(s, "+/=") {
			t.Fatalf("not unpadded base64url: %q", s)
		}
		got2, err := ParseTemplateString(s)
		if err != nil || got2 != got {
			t.Fatalf("string round trip: %v", err)
		}
	}
}

func TestEncodingLittleEndianLayout(t *testing.T) {
	var tpl Template
	tpl.Model = "ab"
	tpl.Vector[0] = 1.0 // 0x3F800000
	b, err := tpl.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xF7, 0x01, 0x02, 'a', 'b', 0x00, 0x00, 0x80, 0x3F}
	if !bytes.Equal(b[:9], want) {
		t.Fatalf("got % x want % x", b[:9], want)
	}
}

func TestParseTemplateRejects(t *testing.T) {
	good := validEncoding(t)
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	setFloat := func(v float32) []byte {
		return mod(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[len(b)-4:], math.Float32bits(v))
			return b
		})
	}
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformedEncoding},
		{"short header", []byte{0xF7, 1}, ErrMalformedEncoding},
		{"bad magic", mod(func(b []byte) []byte { b[0] = 0; return b }), ErrMalformedEncoding},
		{"future version", mod(func(b []byte) []byte { b[1] = 2; return b }), ErrUnsupportedVersion},
		{"zero model length", mod(func(b []byte) []byte { b[2] = 0; return b }), ErrMalformedEncoding},
		{"model length too big", mod(func(b []byte) []byte { b[2] = 65; return b }), ErrMalformedEncoding},
		{"model length past end", mod(func(b []byte) []byte { b[2]++; return b }), ErrMalformedEncoding},
		{"truncated", good[:len(good)-1], ErrMalformedEncoding},
		{"trailing byte", append(bytes.Clone(good), 0), ErrMalformedEncoding},
		{"oversized", make([]byte, MaxEncodedLen+1), ErrTooLarge},
		{"control byte in model", mod(func(b []byte) []byte { b[3] = '\n'; return b }), ErrInvalidTemplate},
		{"NaN", setFloat(float32(math.NaN())), ErrInvalidTemplate},
		{"+Inf", setFloat(float32(math.Inf(1))), ErrInvalidTemplate},
		{"-Inf", setFloat(float32(math.Inf(-1))), ErrInvalidTemplate},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTemplate(c.in)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("no typed code on %v", err)
			}
		})
	}
}

func TestParseTemplateStringRejects(t *testing.T) {
	var tpl Template
	tpl.Model = "m"
	s, _ := tpl.EncodeString()
	cases := []struct {
		name, in string
		want     error
	}{
		{"padding", s + "=", ErrMalformedEncoding},
		{"std alphabet", strings.Replace(s, "-", "+", 1) + "+", ErrMalformedEncoding},
		{"too long", strings.Repeat("A", MaxEncodedStringLen+1), ErrTooLarge},
		{"not a template", "AAAA", ErrMalformedEncoding},
	}
	for _, c := range cases {
		if _, err := ParseTemplateString(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestNewTemplateRejects(t *testing.T) {
	ok := make([]float32, Dim)
	nan := make([]float32, Dim)
	nan[5] = float32(math.NaN())
	cases := []struct {
		name  string
		model ModelID
		v     []float32
	}{
		{"empty model", "", ok},
		{"long model", ModelID(strings.Repeat("x", MaxModelIDLen+1)), ok},
		{"space in model", "a b", ok},
		{"short vector", "m", ok[:127]},
		{"NaN", "m", nan},
	}
	for _, c := range cases {
		if _, err := NewTemplate(c.model, c.v); !errors.Is(err, ErrInvalidTemplate) {
			t.Errorf("%s: got %v", c.name, err)
		}
	}
}

// FuzzParseTemplate: any input either parses to a template that re-encodes to the same bytes,
// or fails with a typed error. Never a panic.
func FuzzParseTemplate(f *testing.F) {
	good := validEncoding(f)
	f.Add(good)
	f.Add(good[:3])
	f.Add([]byte{})
	f.Add([]byte{0xF7, 0x01, 0xFF})
	nan := bytes.Clone(good)
	binary.LittleEndian.PutUint32(nan[10:], 0x7FC00000)
	f.Add(nan)
	f.Fuzz(func(t *testing.T, b []byte) {
		tpl, err := ParseTemplate(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		again, err := tpl.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("parsed template does not re-encode to its input: %v", err)
		}
	})
}

func FuzzParseTemplateString(f *testing.F) {
	s, _ := Template{Model: "m"}.EncodeString()
	f.Add(s)
	f.Add("")
	f.Add("9wEB")
	f.Fuzz(func(t *testing.T, s string) {
		tpl, err := ParseTemplateString(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if again, _ := tpl.EncodeString(); again != s {
			t.Fatal("non-canonical text accepted")
		}
	})
}
