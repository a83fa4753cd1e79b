package jsonscan

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type inner struct {
	Code string `json:"code"`
}

type embedded struct {
	Extra string `json:"extra,omitempty"`
}

type sample struct {
	Presentation string            `json:"presentation"`
	Claims       []string          `json:"claims,omitempty"`
	Items        []inner           `json:"items,omitempty"`
	Ptr          *inner            `json:"ptr,omitempty"`
	Attrs        map[string]any    `json:"attrs,omitempty"`
	Raw          json.RawMessage   `json:"raw,omitempty"`
	When         *time.Time        `json:"when,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Skipped      string            `json:"-"`
	NoTag        string
	embedded
}

func TestDecode(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2)
	for _, tc := range []struct {
		name, body string
		opt        Options
		reason     string // "" accepts
	}{
		{"valid", `{"presentation":"p","claims":["a"],"items":[{"code":"1"}],"ptr":{"code":"2"},"attrs":{"a":{"b":[1,{"c":null}]}},"raw":{"x":1},"when":"2026-01-02T03:04:05Z","NoTag":"n","extra":"e"}`, Options{}, ""},
		{"whitespace around", " \t\n{\"presentation\":\"p\"}\r\n", Options{}, ""},
		{"duplicate", `{"presentation":"a","presentation":"b"}`, Options{}, "duplicate"},
		{"duplicate in a slice element", `{"items":[{"code":"1","code":"2"}]}`, Options{}, "duplicate"},
		{"duplicate in a map", `{"attrs":{"a":1,"a":2}}`, Options{}, "duplicate"},
		{"duplicate deep in any", `{"attrs":{"a":[{"b":1,"b":1}]}}`, Options{}, "duplicate"},
		{"duplicate in raw", `{"raw":{"x":1,"x":1}}`, Options{}, "duplicate"},
		{"duplicate with ignore-unknown", `{"presentation":"a","presentation":"b"}`, Options{IgnoreUnknown: true}, "duplicate"},
		{"duplicate unknown with ignore-unknown", `{"zz":1,"zz":2}`, Options{IgnoreUnknown: true}, "duplicate"},
		{"upper case", `{"PRESENTATION":"p"}`, Options{}, "case"},
		{"mixed case nested", `{"ptr":{"Code":"2"}}`, Options{}, "case"},
		{"case with ignore-unknown", `{"Presentation":"p"}`, Options{IgnoreUnknown: true}, "case"},
		{"case of an untagged field", `{"notag":"n"}`, Options{}, "case"},
		{"map keys keep their case", `{"labels":{"A":"1","a":"2"}}`, Options{}, ""},
		{"unknown", `{"presentation":"p","x":1}`, Options{}, "unknown"},
		{"unknown nested", `{"items":[{"code":"1","x":1}]}`, Options{}, "unknown"},
		{"dash field is unknown", `{"Skipped":"s"}`, Options{}, "unknown"},
		{"unknown ignored", `{"presentation":"p","x":{"y":[1,2]}}`, Options{IgnoreUnknown: true}, ""},
		{"trailing object", `{"presentation":"p"}{}`, Options{}, "trailing"},
		{"trailing brace", `{"presentation":"p"}}`, Options{}, "trailing"},
		{"trailing bracket", `{"presentation":"p"}]`, Options{}, "trailing"},
		{"trailing junk", `{"presentation":"p"} x`, Options{}, "trailing"},
		{"too deep", `{"attrs":{"a":` + deep + `}}`, Options{}, "depth"},
		{"syntax", `{"presentation":}`, Options{}, "syntax"},
		{"empty", ``, Options{}, "syntax"},
		{"wrong type", `{"presentation":1}`, Options{}, "type"},
		{"unterminated", `{"presentation":"p"`, Options{}, "syntax"},
		{"escaped name", `{"\u0070resentation":"p"}`, Options{}, ""},
		{"escaped duplicate", `{"presentation":"p","\u0070resentation":"p"}`, Options{}, "duplicate"},
		{"invalid UTF-8", "{\"presentation\":\"\xff\"}", Options{}, "syntax"},
		{"bad literal", `{"attrs":{"a":tru}}`, Options{}, "syntax"},
		{"missing colon", `{"presentation" "p"}`, Options{}, "syntax"},
		{"missing comma", `{"claims":["a" "b"]}`, Options{}, "syntax"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v sample
			err := Decode([]byte(tc.body), &v, tc.opt)
			var de *DecodeError
			switch {
			case tc.reason == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.reason == "":
			case !errors.As(err, &de) || de.Reason != tc.reason:
				t.Fatalf("err %v, want reason %s", err, tc.reason)
			}
		})
	}
}

func TestDecodeNamesNoValues(t *testing.T) {
	var v sample
	err := Decode([]byte(`{"attrs":{"secret-value":{"`+strings.Repeat("n", 500)+`":1,"`+strings.Repeat("n", 500)+`":2}}}`), &v, Options{})
	if err == nil || len(err.Error()) > 200 {
		t.Fatalf("err %q", err)
	}
	err = Decode([]byte(`{"presentation":"SECRET","presentation":"SECRET"}`), &v, Options{})
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("err %q", err)
	}
}

// FuzzDecode is differential: whatever Decode accepts, encoding/json (Decoder with
// DisallowUnknownFields) decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"presentation":"p","claims":["a","b"]}`, `{"items":[{"code":"1"}],"attrs":{"a":[1,true,null]}}`,
		`{"presentation":"a","presentation":"b"}`, `{"PRESENTATION":"p"}`, `{"presentation":"p"}}`,
		`{"raw":{"x":{"x":1}},"labels":{"a":"b"}}`, `{"when":"2026-01-02T03:04:05Z","extra":"x"}`, `{"\u0070resentation":"p"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got sample
		if Decode(body, &got, Options{}) != nil {
			return
		}
		var want sample
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&want); err != nil || Trailing(dec) != nil {
			t.Fatalf("accepted %q, encoding/json refuses: %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %+v, encoding/json %+v", body, got, want)
		}
	})
}
