package record

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/idgate/idgate/issuer/storage"
)

func TestDecodeAttributes(t *testing.T) {
	deep := strings.Repeat("[", storage.MaxJSONDepth+2) + strings.Repeat("]", storage.MaxJSONDepth+2)
	tests := []struct {
		name    string
		in      string
		want    map[string]any
		wantErr bool
	}{
		{"object", `{"a":1,"b":"x"}`, map[string]any{"a": json.Number("1"), "b": "x"}, false},
		{"big integer is lossless", `{"n":12345678901234567890}`, map[string]any{"n": json.Number("12345678901234567890")}, false},
		{"empty", `{}`, map[string]any{}, false},
		{"null", `null`, nil, true},
		{"array", `[1]`, nil, true},
		{"trailing", `{} {}`, nil, true},
		{"truncated", `{"a":`, nil, true},
		{"too deep", `{"a":` + deep + `}`, nil, true},
		{"brackets in strings do not count", `{"a":"` + deep + `"}`, map[string]any{"a": deep}, false},
		{"too large", `{"a":"` + strings.Repeat("x", storage.MaxJSONBytes) + `"}`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeAttributes([]byte(tc.in))
			if tc.wantErr {
				if !errors.Is(err, ErrCorrupt) || !errors.Is(err, storage.ErrInvalid) {
					t.Fatalf("err = %v, want ErrCorrupt", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestAttributesRoundTrip(t *testing.T) {
	in := map[string]any{"given_name": "Ada", "age": 36, "nested": map[string]any{"l": []any{true, nil, 1.5}}}
	b, err := EncodeAttributes(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeAttributes(b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"given_name": "Ada", "age": json.Number("36"), "nested": map[string]any{"l": []any{true, nil, json.Number("1.5")}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v", got)
	}
	if _, err := EncodeAttributes(map[string]any{"f": func() {}}); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("func value: err = %v", err)
	}
}

func TestDecodeDetails(t *testing.T) {
	tests := []struct {
		in      string
		wantErr bool
	}{
		{`{"k":"v"}`, false},
		{`{}`, false},
		{`{"k":1}`, true},
		{`null`, true},
		{`{"k":"v"}x`, true},
	}
	for _, tc := range tests {
		_, err := DecodeDetails([]byte(tc.in))
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err = %v", tc.in, err)
		}
	}
}

// FuzzDecodeAttributes: stored columns are untrusted (a database file can be edited); decoding
// must never panic, and whatever decodes must re-encode within the bounds.
func FuzzDecodeAttributes(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":[{"b":null}]}`, `null`, `{"a":"\"}"}`, `[[[[`, `{"a":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeAttributes(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if _, err := EncodeAttributes(m); err != nil && !errors.Is(err, storage.ErrInvalid) {
			t.Fatalf("re-encode: %v", err)
		}
	})
}

func FuzzDecodeDetails(f *testing.F) {
	for _, s := range []string{`{}`, `{"k":"v"}`, `{"k":1}`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeDetails(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if m == nil {
			t.Fatal("nil map without error")
		}
	})
}
