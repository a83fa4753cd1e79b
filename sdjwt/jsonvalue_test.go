package sdjwt

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// sameAsEncodingJSON fails t unless decodeJSON and encoding/json agree on b: both reject it,
// or both accept it with deeply equal values.
func sameAsEncodingJSON(t *testing.T, b []byte) {
	t.Helper()
	var want any
	wantErr := json.Unmarshal(b, &want)
	got, err := decodeJSON(bytes.Clone(b)) // decodeJSON takes its buffer over
	// A decoder reused after another document (as Verify reuses one) must agree too.
	d := newJSONDecoder()
	if _, err := d.decode([]byte(`[1,{"a":[2,{"b":3}]},"x"]`), false); err != nil {
		t.Fatal(err)
	}
	if got2, err2 := d.decode(bytes.Clone(b), false); (err2 != nil) != (err != nil) || !reflect.DeepEqual(got2, got) {
		t.Fatalf("%q: reused decoder %#v (%v), fresh %#v (%v)", b, got2, err2, got, err)
	}
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: decodeJSON err %v, encoding/json err %v", b, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: decodeJSON %#v, encoding/json %#v", b, got, want)
	}
}

var jsonCases = []string{
	// RFC 8259 examples and the JSON of RFC 9901's disclosures and payloads.
	`{"Image":{"Width":800,"Height":600,"Title":"View from 15th Floor","Thumbnail":{"Url":"http://www.example.com/image/481989943","Height":125,"Width":100},"Animated":false,"IDs":[116,943,234,38793]}}`,
	`[{"precision":"zip","Latitude":37.7668,"Longitude":-122.3959,"Address":"","City":"SAN FRANCISCO","State":"CA","Zip":"94107","Country":"US"}]`,
	`"Hello world!"`, `42`, `true`, `null`,
	`["_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"]`,
	"[\n\"_26bc4LT-ac6q2KI6cBW5es\",\n\"family_name\",\n\"M\u00f6bius\"\n]",
	`["lklxF5jMYlGTPUovMNIvCA", "FR"]`,
	`{"_sd":["a","b"],"nationalities":[{"...":"x"}],"_sd_alg":"sha-256","cnf":{"jwk":{"kty":"EC","crv":"P-256"}}}`,
	// Numbers.
	`0`, `-0`, `-0.0`, `1e5`, `1E+5`, `1e-5`, `123.456e-7`, `1e400`, `-1e400`, `1e-400`, `01`, `1.`, `.5`, `-`, `+1`, `1e`, `1e+`, `0x10`, `1_0`, `Infinity`, `NaN`,
	`9007199254740993`, `1.7976931348623157e308`, `1.7976931348623159e308`,
	// Strings and escapes.
	`"\"\\\/\b\f\n\r\t"`, `"\u00e9\u00E9"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00"`, `"\ud83d\u0041"`, `"\ud83dx"`,
	`"\ud83d\ud83d\ude00"`, `"\u12"`, `"\u12g4"`, `"\x"`, `"\'"`, "\"a\x01\"", "\"a\x7f\"", "\"\xff\"", "\"a\xc3\"", "\"\xed\xa0\x80\"",
	"\"\xef\xbf\xbd\"", `"unterminated`, `"`, `"\`,
	// Structure.
	`{}`, `[]`, ` { } `, `{"a":1,"a":2}`, `{"a":1,}`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`,
	`[1 2]`, `{"a":[1,{"b":null}]}`, `[] []`, `{}x`, ``, ` `, "\t\n\r[1]\t\n\r", "\v[1]", `tru`, `nul`, `falsey`, `[true,false,null]`,
	"\xef\xbb\xbf{}", `{"\u0000":1}`, `{"a\u0000b":"c"}`,
	// Nesting that exercises the decoder's shared value stacks.
	`[5,{"a":1,"b":[2,{"c":3}]},6]`, `{"a":[1,2,{"x":[]}],"b":{"c":{}},"d":[[],[[1]],{}]}`, `[[1,2],[3,[4,{"k":[5]}]],7]`,
	`{"a":1,"b":{"a":2,"b":[{"a":3},{"a":4,"a":5}]},"a":6}`,
}

func TestDecodeJSONMatchesEncodingJSON(t *testing.T) {
	for _, c := range jsonCases {
		sameAsEncodingJSON(t, []byte(c))
	}
}

func TestDecodeJSONNesting(t *testing.T) {
	for _, depth := range []int{maxJSONNesting - 1, maxJSONNesting, maxJSONNesting + 1} {
		for _, open := range []string{"[", `{"a":`} {
			closer := "]"
			if open != "[" {
				closer = "}"
			}
			doc := strings.Repeat(open, depth) + "1" + strings.Repeat(closer, depth)
			sameAsEncodingJSON(t, []byte(doc))
		}
	}
	if _, err := decodeJSON([]byte(strings.Repeat("[", maxJSONNesting+1))); err == nil {
		t.Fatal("nesting past the limit accepted")
	}
}

// FuzzDecodeJSON: decodeJSON is a drop-in for json.Unmarshal into `any`.
func FuzzDecodeJSON(f *testing.F) {
	for _, c := range jsonCases {
		f.Add([]byte(c))
	}
	for _, s := range fuzzSeeds(f) { // the RFC 9901 examples' headers, payloads, disclosures
		for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == '~' || r == '.' }) {
			if b, err := b64.DecodeString(part); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsEncodingJSON(t, b)
	})
}
