package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTrailing(t *testing.T) {
	for _, tc := range []struct {
		body     string
		trailing bool
	}{
		{`{"a":1}`, false}, {"{\"a\":1} \r\n\t", false},
		{`{"a":1}}`, true}, {`{"a":1}]`, true}, {`{"a":1}}]] junk`, true},
		{`{"a":1} {}`, true}, {`{"a":1}x`, true}, {`{"a":1}0`, true},
	} {
		dec := json.NewDecoder(strings.NewReader(tc.body))
		var v map[string]int
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%q: %v", tc.body, err)
		}
		if got := Trailing(dec); got != tc.trailing {
			t.Errorf("Trailing(%q) = %v, want %v", tc.body, got, tc.trailing)
		}
	}
}
