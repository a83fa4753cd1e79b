package boardingpass

import (
	"errors"
	"testing"
)

// FuzzParse: Parse never panics, returns either a pass or an *Error, and every accepted
// string re-encodes to itself.
func FuzzParse(f *testing.F) {
	for _, v := range allVectors {
		f.Add(v)
	}
	for _, v := range bookingVariants { // the booking fields written in other case and padding
		f.Add(v)
	}
	f.Add("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 106>60000")
	f.Add("M1DOE/JOHN            EABCDEFGMRSLGWEZY8724 99  3C  506  10Axxxxxxxxxx")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || p != nil {
				t.Fatalf("Parse = %v, %v", p, err)
			}
			return
		}
		got, err := p.Encode()
		if err != nil || got != s {
			t.Fatalf("Encode(Parse(%q)) = %q, %v", s, got, err)
		}
	})
}

// FuzzVerify: Verify never panics and accepts nothing but the exact strings signed with the
// trusted key (the fuzzer cannot forge ES256; any acceptance of a mutated input is a bug).
func FuzzVerify(f *testing.F) {
	ac := validAirline(f, "AC")
	keys := keysFor(map[string]*airline{"AC": ac})
	signed := map[string]bool{}
	for _, v := range []string{unsignedOf(vecIATA1), unsignedOf(vecIATA2), unsignedOf(vecV5AllFields)} {
		s, err := Sign(v, ac)
		if err != nil {
			f.Fatal(err)
		}
		signed[s] = true
		f.Add(s)
	}
	for _, v := range allVectors {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Verify(s, keys, testNow)
		if err == nil && (!signed[s] || p == nil) {
			t.Fatalf("Verify accepted %q", s)
		}
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("untyped error %v", err)
		}
	})
}
