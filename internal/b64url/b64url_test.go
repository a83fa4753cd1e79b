package b64url

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, c := range []struct {
		s  string
		ok bool
	}{
		{"", true}, {"AA", true}, {"AAA", true}, {"AAAA", true}, {"-_8", true},
		{"A", false}, {"AB", false}, {"AAB", false}, // length 1 mod 4; unused bits set
		{"AA==", false}, {"AA\n", false}, {"A\rA", false}, {"AA AA", false}, {"+/8", false},
	} {
		b, err := Decode(c.s)
		if (err == nil) != c.ok || Valid(c.s) != c.ok {
			t.Errorf("Decode(%q) = %x, %v; Valid %v; want ok=%v", c.s, b, err, Valid(c.s), c.ok)
		}
	}
}

// FuzzDecode: whatever Decode accepts re-encodes to itself, and whatever it refuses is either
// refused by encoding/base64's strict decoder or decodes there to bytes whose canonical
// spelling differs from the input.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"", "AA", "AAA", "eyJhbGciOiJFUzI1NiJ9", "AA\n", "AB", "A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Decode(s)
		if err == nil {
			if base64.RawURLEncoding.EncodeToString(b) != s {
				t.Fatalf("accepted %q, which is not the canonical spelling of its bytes", s)
			}
			return
		}
		if std, err := base64.RawURLEncoding.Strict().DecodeString(s); err == nil && base64.RawURLEncoding.EncodeToString(std) == s && !bytes.Equal(std, b) {
			t.Fatalf("refused the canonical %q", s)
		}
	})
}
