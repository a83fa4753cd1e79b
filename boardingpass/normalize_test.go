package boardingpass

import (
	"errors"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		fn   func(string) (string, error)
		name string
		in   string
		want string // "" means error
	}{
		{NormalizeSeat, "seat", "12A", "012A"},
		{NormalizeSeat, "seat", "1A", "001A"},
		{NormalizeSeat, "seat", "012C", "012C"},
		{NormalizeSeat, "seat", "12", ""},
		{NormalizeSeat, "seat", "A", ""},
		{NormalizeSeat, "seat", "1234A", ""},
		{NormalizeSeat, "seat", "12a", ""},
		{NormalizeFlight, "flight", "101", "0101"},
		{NormalizeFlight, "flight", "0834", "0834"},
		{NormalizeFlight, "flight", "7A", "0007A"},
		{NormalizeFlight, "flight", "12345", ""},
		{NormalizeFlight, "flight", "", ""},
		{NormalizeFlight, "flight", "10 1", ""},
		{NormalizeSequence, "sequence", "42", "0042"},
		{NormalizeSequence, "sequence", "0025", "0025"},
		{NormalizeSequence, "sequence", "1B", "0001B"},
		{NormalizeSequence, "sequence", "-1", ""},
	}
	for _, tc := range tests {
		got, err := tc.fn(tc.in)
		if tc.want == "" {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeBadField {
				t.Errorf("%s(%q) = %q, %v; want bad_field", tc.name, tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s(%q) = %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
	}
}
