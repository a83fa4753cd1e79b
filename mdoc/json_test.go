package mdoc

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Every decoded element value becomes JSON that marshals, bstr as standard base64 and the
// date types as their text.
func TestJSONValue(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	for _, tc := range []struct {
		in   any
		want string
	}{
		{[]byte{0xff, 0xd8, 0xff}, `"/9j/"`},
		{cbor.Tag{Number: tagFullDate, Content: "1990-05-17"}, `"1990-05-17"`},
		{at, `"2026-01-02T02:04:05Z"`},
		{map[any]any{"vehicle_category_code": "B", uint64(7): true, int64(-1): nil}, `{"-1":null,"7":true,"vehicle_category_code":"B"}`},
		{[]any{uint64(42), int64(-3), "x", false}, `[42,-3,"x",false]`},
		{math.Inf(1), `"+Inf"`},
		{cbor.SimpleValue(16), `16`},
	} {
		b, err := json.Marshal(JSONValue(tc.in))
		if err != nil || string(b) != tc.want {
			t.Errorf("%#v: %s %v, want %s", tc.in, b, err, tc.want)
		}
	}
}

// Claims of a verified presentation are namespace -> element -> JSON value.
func TestVerifiedClaims(t *testing.T) {
	f := newFixture(t)
	st := transcript(t, "n")
	v, err := f.verifier().Verify(f.present(t, f.issue(t), st), VerifyOptions{DocType: DocTypeMDL, SessionTranscript: st})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v.Claims())
	if string(b) != `{"org.iso.18013.5.1":{"age_over_19":true,"family_name":"Mustermann"}}` {
		t.Fatalf("claims %s", b)
	}
}
