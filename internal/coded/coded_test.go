package coded

import (
	"errors"
	"io"
	"testing"
)

type pkgA struct{}

func (pkgA) Prefix() string { return "a" }

type pkgB struct{}

func (pkgB) Prefix() string { return "b" }

func TestError(t *testing.T) {
	kindA := &Error[pkgA]{Code: "malformed"}
	err := New(kindA, io.ErrUnexpectedEOF, "field %s", "x")
	for _, tc := range []struct {
		name   string
		target error
		want   bool
	}{
		{"same package and code", kindA, true},
		{"cause", io.ErrUnexpectedEOF, true},
		{"same package, other code", &Error[pkgA]{Code: "range"}, false},
		{"other package, same code", &Error[pkgB]{Code: "malformed"}, false},
	} {
		if got := errors.Is(err, tc.target); got != tc.want {
			t.Errorf("%s: errors.Is = %v, want %v", tc.name, got, tc.want)
		}
	}
	if got, want := err.Error(), "a: malformed: field x: unexpected EOF"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if got := (&Error[pkgB]{Code: "c"}).Error(); got != "b: c" {
		t.Errorf("bare message %q", got)
	}
}
