package jsonscan

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
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
		if got := Trailing(dec) != nil; got != tc.trailing {
			t.Errorf("Trailing(%q) = %v, want %v", tc.body, got, tc.trailing)
		}
	}
}

// TestTrailingKeepsReadErrors: a reader error after the value (a body over its size limit) is
// returned as is, so an HTTP handler can answer 413 rather than "trailing data".
func TestTrailingKeepsReadErrors(t *testing.T) {
	limit := errors.New("body over the limit")
	dec := json.NewDecoder(io.MultiReader(strings.NewReader(`{"a":1} `), iotest.ErrReader(limit)))
	var v map[string]int
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if err := Trailing(dec); !errors.Is(err, limit) {
		t.Fatalf("Trailing = %v, want the reader's error", err)
	}
	dec = json.NewDecoder(strings.NewReader(`{"a":1}}`))
	_ = dec.Decode(&v)
	if err := Trailing(dec); !errors.Is(err, ErrTrailing) {
		t.Fatalf("Trailing = %v, want ErrTrailing", err)
	}
}
